package dev.bulwark.bench.pipeline;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A user's INBOX read over IMAP as a mail client reads it: each {@link #newMessages()} asks only for the
 * headers (Subject and the verdict headers) of messages that arrived since the last call.
 */
final class ImapInbox implements AutoCloseable {
    /** Headers asked for: the token in Subject, and the spam flags Bulwark and the stock mailet write. */
    static final List<String> HEADERS = List.of("Subject", "X-Spam-Flag", SpamFlags.STOCK_FLAG_HEADER);
    private static final Pattern LITERAL = Pattern.compile("\\{(\\d+)}$");
    private static final Pattern UID = Pattern.compile("\\bUID (\\d+)");
    private static final Pattern EXISTS = Pattern.compile("^\\* (\\d+) EXISTS");

    /** A delivered message's headers, as the server returned them. */
    record Delivered(long uid, String headers) {
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private int tag;
    private long nextUid = 1;
    /** Messages in the mailbox as the server last said: a FETCH on an empty mailbox is an error. */
    private long exists;

    private ImapInbox(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    static ImapInbox open(int port, String user, String password) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(60_000);
            ImapInbox inbox = new ImapInbox(socket);
            inbox.readUnit(); // greeting
            inbox.command("LOGIN " + user + " " + password);
            inbox.command("SELECT INBOX");
            return inbox;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Headers of the messages delivered since the last call (NOOP first, so that the session sees them). */
    List<Delivered> newMessages() throws IOException {
        command("NOOP");
        List<Delivered> found = new ArrayList<>();
        if (exists == 0) {
            return found;
        }
        String fields = String.join(" ", HEADERS).toUpperCase(java.util.Locale.ROOT);
        for (Unit unit : command("UID FETCH " + nextUid + ":* (UID BODY.PEEK[HEADER.FIELDS (" + fields + ")])")) {
            Matcher uid = UID.matcher(unit.text());
            if (!unit.text().startsWith("* ") || !unit.text().contains(" FETCH ") || !uid.find() || unit.literals().isEmpty()) {
                continue;
            }
            long value = Long.parseLong(uid.group(1));
            // "n:*" names the last message even when it is below n: such repeats are skipped.
            if (value >= nextUid) {
                found.add(new Delivered(value, unit.literals().get(0)));
            }
        }
        for (Delivered d : found) {
            nextUid = Math.max(nextUid, d.uid() + 1);
        }
        return found;
    }

    /** An untagged or tagged response: its text, with each literal's place marked, and the literals. */
    private record Unit(String text, List<String> literals) {
    }

    private List<Unit> command(String command) throws IOException {
        String id = "b" + (++tag);
        out.write((id + " " + command + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        List<Unit> units = new ArrayList<>();
        while (true) {
            Unit unit = readUnit();
            Matcher exists = EXISTS.matcher(unit.text());
            if (exists.find()) {
                this.exists = Long.parseLong(exists.group(1));
            }
            if (unit.text().startsWith(id + " ")) {
                if (!unit.text().startsWith(id + " OK")) {
                    throw new IOException("IMAP " + command + ": " + unit.text());
                }
                return units;
            }
            units.add(unit);
        }
    }

    private Unit readUnit() throws IOException {
        StringBuilder text = new StringBuilder();
        List<String> literals = new ArrayList<>();
        while (true) {
            String line = readLine();
            Matcher literal = LITERAL.matcher(line);
            if (!literal.find()) {
                text.append(line);
                return new Unit(text.toString(), literals);
            }
            text.append(line, 0, literal.start()).append("{literal}");
            literals.add(new String(in.readNBytes(Integer.parseInt(literal.group(1))), StandardCharsets.UTF_8));
        }
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new IOException("IMAP server closed the connection");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        try {
            command("LOGOUT");
        } catch (IOException ignored) {
            // Closing anyway.
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // Nothing left to do.
        }
    }
}
