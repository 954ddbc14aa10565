package dev.bulwark.extension.learning;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import dev.bulwark.scanner.verdict.SpamLearner.LearnAs;

/**
 * One thing a user said about one message: learn it as spam or ham for them. The message is read only when
 * the lesson's turn comes, off the event thread.
 *
 * @param user      whose lesson it is (the mailbox owner, the released recipient): the engines' per-user name
 * @param actor     who gave it (the user whose command moved the message, who may act on another's shared mailbox):
 *                  charged with it against the per-user rate and daily cap
 * @param trigger   what said it, in the events: {@code junk} (into a junk mailbox), {@code not-junk} (moved out),
 *                  {@code release} (an admin released a false positive)
 * @param size      the message's size when known before reading it (the size cap refuses it at once)
 * @param messageId the Message-ID when known before reading it
 * @param context   where it happened, added to the events (mailbox, quarantine id)
 */
public record Lesson(String user, String actor, LearnAs as, String trigger, OptionalLong size, Optional<String> messageId,
                     Map<String, String> context, Source source) {
    public Lesson {
        context = Map.copyOf(context);
    }

    /** Reads the message when the lesson is given. */
    @FunctionalInterface
    public interface Source {
        /** @throws Refused when the message is gone or over the size cap; any other exception is a failure too */
        Message load(long maxSize) throws Exception;
    }

    /** The message to teach, and its Message-ID. */
    public record Message(byte[] bytes, Optional<String> messageId) {
    }

    /** Why a lesson was not given, before any engine saw it. */
    public static final class Refused extends Exception {
        private final transient Optional<String> messageId;

        public Refused(String reason) {
            this(reason, Optional.empty());
        }

        /** @param messageId the message's Message-ID when it was read before it was refused: the event names it */
        public Refused(String reason, Optional<String> messageId) {
            super(reason);
            this.messageId = messageId;
        }

        public Optional<String> messageId() {
            return messageId;
        }
    }

    /** The stream's bytes, refused when there are more than {@code maxSize}. */
    public static byte[] readAtMost(InputStream in, long maxSize) throws IOException, Refused {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int read;
        while ((read = in.read(buffer)) >= 0) {
            if (out.size() + (long) read > maxSize) {
                throw tooLarge(maxSize);
            }
            out.write(buffer, 0, read);
        }
        return out.toByteArray();
    }

    /**
     * Why a message without the pipeline's scan stamp for its owner is not learned: whatever a user wrote and
     * APPENDed or imported would otherwise teach the filter everyone shares.
     */
    public static final String NOT_DELIVERED = "not delivered by the pipeline";

    static Refused tooLarge(long maxSize) {
        return new Refused("message over learning.maxMessageSize (" + maxSize + " bytes)");
    }
}
