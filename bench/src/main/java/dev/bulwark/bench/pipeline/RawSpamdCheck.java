package dev.bulwark.bench.pipeline;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The least a client can do to have spamd judge a message: one connection (spamd serves one request per
 * connection), the header and the message in one write, the answer read to the end. spamc's protocol.
 */
final class RawSpamdCheck {
    private static final Pattern SPAM = Pattern.compile("(?m)^Spam: (True|False) ;");

    private RawSpamdCheck() {
    }

    /** True when spamd says spam; an IOException when it gives no verdict. */
    static boolean isSpam(String host, int port, byte[] message, String user) throws IOException {
        byte[] header = ("CHECK SPAMC/1.5\r\nContent-length: " + message.length + "\r\nUser: " + user + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
        byte[] request = new byte[header.length + message.length];
        System.arraycopy(header, 0, request, 0, header.length);
        System.arraycopy(message, 0, request, header.length, message.length);
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), 2_000);
            socket.setSoTimeout(60_000);
            OutputStream out = socket.getOutputStream();
            out.write(request);
            out.flush();
            socket.shutdownOutput();
            ByteArrayOutputStream answer = new ByteArrayOutputStream(128);
            socket.getInputStream().transferTo(answer);
            String text = answer.toString(StandardCharsets.US_ASCII);
            Matcher spam = SPAM.matcher(text);
            if (!text.startsWith("SPAMD/") || !text.contains(" EX_OK") || !spam.find()) {
                throw new IOException("spamd answered '" + text.strip() + "'");
            }
            return spam.group(1).equals("True");
        }
    }
}
