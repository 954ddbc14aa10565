package dev.bulwark.bench.pipeline;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * N concurrent clients in a closed loop over a list of messages, bounded by count and time: each client
 * takes the next message, has it handled to its final state (sent over SMTP and seen delivered or
 * quarantined, or scanned by the raw daemons), and only then takes the next. So N is the number of messages
 * in flight, and the latency of each is what its sender waits for.
 */
final class LoadGenerator {
    static final String TOKEN_PREFIX = "BENCH-";

    /** One client's way to take a message to its final state. Not shared between threads. */
    interface Client extends AutoCloseable {
        Outcome handle(CorpusMessage message, String token, long deadlineNanos) throws Exception;

        @Override
        default void close() {
        }
    }

    interface ClientFactory {
        Client open() throws Exception;
    }

    /** One message's run: from the start of its sending to its final state. */
    record Sample(CorpusMessage message, long startNanos, Outcome outcome) {
        long latencyNanos() {
            return outcome.seenNanos() - startNanos;
        }
    }

    record Result(List<Sample> samples, long startNanos, long endNanos, long failures, List<String> failureExamples) {
        double seconds() {
            return (endNanos - startNanos) / 1e9;
        }
    }

    private LoadGenerator() {
    }

    /**
     * Runs {@code clients} clients over {@code messages} (each at most once); tokens are
     * {@code BENCH-<phase>-<index>}. Stops taking new messages at {@code maxMillis}.
     */
    static Result run(String phase, List<CorpusMessage> messages, int clients, long maxMillis, ClientFactory factory)
            throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
        LongAdder failures = new LongAdder();
        List<String> examples = Collections.synchronizedList(new ArrayList<>());
        ConcurrentHashMap<String, Boolean> seenFailures = new ConcurrentHashMap<>();
        long start = System.nanoTime();
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(maxMillis);
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            Thread thread = new Thread(() -> {
                Client client = null;
                try {
                    while (System.nanoTime() < deadline) {
                        int index = next.getAndIncrement();
                        if (index >= messages.size()) {
                            return;
                        }
                        CorpusMessage message = messages.get(index);
                        long begin = System.nanoTime();
                        try {
                            if (client == null) {
                                client = factory.open();
                            }
                            Outcome outcome = client.handle(message, TOKEN_PREFIX + phase + "-" + index, deadline + TimeUnit.SECONDS.toNanos(60));
                            samples.add(new Sample(message, begin, outcome));
                        } catch (Exception e) {
                            failures.increment();
                            String text = e.toString();
                            if (seenFailures.putIfAbsent(text, true) == null && examples.size() < 10) {
                                examples.add(text);
                            }
                            samples.add(new Sample(message, begin, new Outcome(Outcome.State.LOST, false, System.nanoTime())));
                            if (client != null) {
                                client.close();
                                client = null;
                            }
                        }
                    }
                } finally {
                    if (client != null) {
                        client.close();
                    }
                }
            }, "bench-client-" + c);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join(maxMillis + 120_000);
        }
        long end = samples.stream().filter(s -> s.outcome().state() != Outcome.State.LOST)
            .mapToLong(s -> s.outcome().seenNanos()).max().orElse(System.nanoTime());
        synchronized (samples) {
            return new Result(List.copyOf(samples), start, end, failures.sum(), List.copyOf(examples));
        }
    }
}
