package dev.bulwark.scanner.spamd;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.bulwark.scanner.endpoint.Endpoint;
import dev.bulwark.scanner.verdict.SpamVerdict;
import dev.bulwark.scanner.wire.Printable;

/** Strict parsing of spamd replies: anything not exactly spamd's shape is ERROR. */
final class SpamdReplies {
    private static final Pattern STATUS_LINE = Pattern.compile("SPAMD/\\d+\\.\\d+ (\\d+) (\\S+)");
    private static final Pattern SPAM_HEADER = Pattern.compile(
        "Spam: (True|False|Yes|No) ; (-?\\d+(?:\\.\\d+)?) / (-?\\d+(?:\\.\\d+)?)", Pattern.CASE_INSENSITIVE);

    private SpamdReplies() {
    }

    static SpamVerdict parseSymbolsReply(String reply, Endpoint endpoint) {
        return parse(SpamdCommand.SYMBOLS, reply, endpoint);
    }

    /** Parses the reply to CHECK, SYMBOLS or REPORT; the body holds the symbols or the report. */
    static SpamVerdict parse(SpamdCommand command, String reply, Endpoint endpoint) {
        int headerEnd = reply.indexOf("\r\n\r\n");
        if (headerEnd < 0) {
            return SpamVerdict.error("incomplete spamd reply: " + Printable.of(reply), endpoint);
        }
        String[] headerLines = reply.substring(0, headerEnd).split("\r\n");
        Matcher status = STATUS_LINE.matcher(headerLines[0]);
        if (!status.matches()) {
            return SpamVerdict.error("unexpected spamd reply: " + Printable.of(headerLines[0]), endpoint);
        }
        if (!status.group(1).equals("0")) {
            return SpamVerdict.error("spamd error " + status.group(1) + " " + status.group(2), endpoint);
        }
        for (String line : Arrays.copyOfRange(headerLines, 1, headerLines.length)) {
            Matcher spam = SPAM_HEADER.matcher(line);
            if (spam.matches()) {
                String flag = spam.group(1).toLowerCase(Locale.ROOT);
                boolean isSpam = flag.equals("true") || flag.equals("yes");
                String body = reply.substring(headerEnd + 4);
                SpamVerdict verdict = SpamVerdict.scored(isSpam, Double.parseDouble(spam.group(2)), Double.parseDouble(spam.group(3)),
                    command == SpamdCommand.SYMBOLS ? symbols(body) : List.of(), endpoint);
                return command == SpamdCommand.REPORT ? verdict.withReport(body) : verdict;
            }
        }
        return SpamVerdict.error("spamd reply has no Spam header", endpoint);
    }

    /** TELL's reply: EX_OK, and whether spamd says it changed anything ({@code DidSet}/{@code DidRemove}). */
    static boolean parseTellReply(String reply) throws java.io.IOException {
        String[] lines = reply.split("\r\n");
        Matcher status = STATUS_LINE.matcher(lines[0]);
        if (!status.matches() || !status.group(1).equals("0")) {
            throw new java.io.IOException("spamd refused TELL: " + Printable.of(lines[0]));
        }
        return Arrays.stream(lines).anyMatch(line -> line.startsWith("DidSet:") || line.startsWith("DidRemove:"));
    }

    private static List<String> symbols(String body) {
        return Arrays.stream(body.trim().split(","))
            .map(String::trim)
            .filter(symbol -> !symbol.isEmpty())
            .toList();
    }
}
