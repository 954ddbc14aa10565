package dev.bulwark.bench.pipeline;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One SMTP session of the load generator, kept open for many messages as an MTA does: EHLO once, then
 * MAIL, RCPT, DATA per message. Plain sockets so that the generator's own CPU stays small and the same for
 * every pipeline. Messages must already use CRLF and have no line starting with a dot.
 */
final class SmtpClient implements AutoCloseable {
    private static final byte[] END_OF_DATA = ".\r\n".getBytes(StandardCharsets.US_ASCII);

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private SmtpClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
    }

    static SmtpClient connect(int port) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(120_000);
            SmtpClient client = new SmtpClient(socket);
            client.expect(220);
            client.command("EHLO bench.bulwark.test", 250);
            return client;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Sends one message to its recipients, in this order; returns when the server accepted it (250 after the data). */
    void send(String from, java.util.List<String> recipients, byte[] message) throws IOException {
        command("MAIL FROM:<" + from + ">", 250);
        for (String to : recipients) {
            command("RCPT TO:<" + to + ">", 250);
        }
        command("DATA", 354);
        out.write(message);
        if (message.length < 2 || message[message.length - 2] != '\r' || message[message.length - 1] != '\n') {
            out.write('\r');
            out.write('\n');
        }
        out.write(END_OF_DATA);
        out.flush();
        expect(250);
    }

    private void command(String line, int expected) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        expect(expected);
    }

    /** Reads a (possibly multi-line) reply and checks its code. */
    private void expect(int code) throws IOException {
        String line;
        do {
            line = readLine();
            if (line.length() < 3) {
                throw new IOException("bad SMTP reply '" + line + "'");
            }
        } while (line.length() > 3 && line.charAt(3) == '-');
        if (!line.startsWith(Integer.toString(code))) {
            throw new IOException("expected " + code + ", got '" + line + "'");
        }
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new IOException("SMTP server closed the connection");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() {
        try {
            command("QUIT", 221);
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
