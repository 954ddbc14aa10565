package dev.bulwark.scanner.clamd;

import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.bulwark.scanner.wire.Printable;

/**
 * The parts of clamd's STATS reply that tell how busy it is: its threads and its queue.
 *
 * @param raw the whole reply, for display
 */
public record ClamdStats(int threadsLive, int threadsIdle, int threadsMax, int queueItems, String raw) {
    private static final Pattern THREADS = Pattern.compile("(?m)^THREADS: live (\\d+)\\s+idle (\\d+) max (\\d+)");
    private static final Pattern QUEUE = Pattern.compile("(?m)^QUEUE: (\\d+) items");

    public static ClamdStats parse(String reply) throws IOException {
        Matcher threads = THREADS.matcher(reply);
        Matcher queue = QUEUE.matcher(reply);
        if (!threads.find() || !queue.find() || !reply.stripTrailing().endsWith("END")) {
            throw new IOException("unexpected STATS reply '" + Printable.of(reply) + "'");
        }
        return new ClamdStats(Integer.parseInt(threads.group(1)), Integer.parseInt(threads.group(2)),
            Integer.parseInt(threads.group(3)), Integer.parseInt(queue.group(1)), reply);
    }
}
