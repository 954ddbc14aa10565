package dev.bulwark.bench.pipeline;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Whether a delivered message's headers say spam: Bulwark's X-Spam-Flag, or the stock mailet's header. */
final class SpamFlags {
    /** James's SpamAssassin mailet names its per-recipient headers after its attributes. */
    static final String STOCK_FLAG_HEADER = "org.apache.james.spamassassin.flag";
    private static final Pattern FLAG = Pattern.compile("(?im)^(X-Spam-Flag|" + Pattern.quote(STOCK_FLAG_HEADER) + "):\\s*YES\\s*$");
    private static final Pattern SUBJECT = Pattern.compile("(?im)^Subject:\\s*(\\S+)");

    private SpamFlags() {
    }

    static boolean flagged(String headers) {
        return FLAG.matcher(headers).find();
    }

    /** The token: the Subject's first word. */
    static String token(String headers) {
        Matcher subject = SUBJECT.matcher(headers);
        return subject.find() ? subject.group(1) : "";
    }
}
