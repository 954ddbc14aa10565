package dev.bulwark.launcher;

import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.commons.net.imap.IMAPClient;

/** Reads a user's INBOX over IMAP, as their mail program would. */
final class MailboxReader {
    private static final Pattern EXISTS = Pattern.compile("^\\* (\\d+) EXISTS");

    private final int port;

    MailboxReader(int port) {
        this.port = port;
    }

    /** How many messages {@code user}'s INBOX holds. */
    long inboxCount(String user) throws IOException {
        return session(user, imap -> {
            expect(imap, imap.examine("INBOX"));
            for (String line : imap.getReplyStrings()) {
                Matcher exists = EXISTS.matcher(line);
                if (exists.find()) {
                    return Long.parseLong(exists.group(1));
                }
            }
            throw new IOException("no EXISTS in IMAP's answer to EXAMINE INBOX: " + imap.getReplyString().trim());
        });
    }

    /** IMAP's answer to fetching the first message of {@code user}'s INBOX: the message, headers first, in a FETCH response. */
    String firstInboxMessage(String user) throws IOException {
        return session(user, imap -> {
            expect(imap, imap.select("INBOX"));
            expect(imap, imap.fetch("1:1", "(BODY[])"));
            return imap.getReplyString();
        });
    }

    private interface Exchange<T> {
        T with(IMAPClient imap) throws IOException;
    }

    private <T> T session(String user, Exchange<T> exchange) throws IOException {
        IMAPClient imap = new IMAPClient();
        imap.connect("127.0.0.1", port);
        try {
            expect(imap, imap.login(user, BulwarkJames.PASSWORD));
            T result = exchange.with(imap);
            imap.logout();
            return result;
        } finally {
            imap.disconnect();
        }
    }

    private static void expect(IMAPClient imap, boolean ok) throws IOException {
        if (!ok) {
            throw new IOException("IMAP: " + imap.getReplyString().trim());
        }
    }
}
