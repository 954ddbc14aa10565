package dev.bulwark.bench.pipeline;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;

/**
 * The stock pipeline's virus scan: what James's own ClamAVScan mailet does, written for this benchmark. That
 * mailet is not published as a Maven artifact and speaks clamd's STREAM command, which clamd 1.x no longer
 * has; this one keeps its behaviour and cost model with INSTREAM:
 * <ul>
 *   <li>a new TCP connection to clamd for every mail, closed after the reply;</li>
 *   <li>the message written with {@link MimeMessage#writeTo} through a buffered stream, in INSTREAM chunks;</li>
 *   <li>infected mail gets the {@code org.apache.james.infected} attribute, and every mail an
 *   {@code X-MessageIsInfected: true|false} header written into the message itself;</li>
 *   <li>no verdict (clamd down, garbage reply) is a MessagingException: James then sends the mail to its
 *   error processor.</li>
 * </ul>
 * Parameters: {@code host}, {@code port}.
 */
public class StockStyleClamdScan extends GenericMailet {
    static final AttributeName INFECTED = AttributeName.of("org.apache.james.infected");
    static final String HEADER = "X-MessageIsInfected";
    private static final int CHUNK_SIZE = 8 * 1024;
    private static final int TIMEOUT_MILLIS = 30_000;

    private String host;
    private int port;

    @Override
    public void init() throws MessagingException {
        host = getInitParameter("host", "127.0.0.1");
        port = Integer.parseInt(getInitParameter("port", "3310"));
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        MimeMessage message = mail.getMessage();
        String reply;
        try {
            reply = scan(message);
        } catch (IOException e) {
            throw new MessagingException("clamd at " + host + ":" + port + " gave no verdict: " + e.getMessage(), e);
        }
        boolean infected = reply.endsWith(" FOUND");
        if (!infected && !reply.endsWith(" OK")) {
            throw new MessagingException("clamd at " + host + ":" + port + " answered '" + reply + "'");
        }
        if (infected) {
            mail.setAttribute(new Attribute(INFECTED, AttributeValue.of(true)));
        }
        message.setHeader(HEADER, Boolean.toString(infected));
        message.saveChanges();
    }

    private String scan(MimeMessage message) throws IOException, MessagingException {
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), TIMEOUT_MILLIS);
            socket.setSoTimeout(TIMEOUT_MILLIS);
            OutputStream raw = socket.getOutputStream();
            raw.write("zINSTREAM\0".getBytes(StandardCharsets.US_ASCII));
            try (OutputStream chunks = new ChunkedInstream(raw)) {
                message.writeTo(chunks);
            }
            return readReply(socket.getInputStream());
        }
    }

    private static String readReply(InputStream in) throws IOException {
        ByteArrayOutputStream reply = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) > 0) {
            reply.write(b);
        }
        if (b < 0 && reply.size() == 0) {
            throw new IOException("clamd closed the connection without a reply");
        }
        return reply.toString(StandardCharsets.US_ASCII).trim();
    }

    /** INSTREAM framing over a buffered stream: each full buffer goes out as one length-prefixed chunk. */
    private static final class ChunkedInstream extends OutputStream {
        private final OutputStream out;
        private final byte[] buffer = new byte[CHUNK_SIZE];
        private int used;

        ChunkedInstream(OutputStream socket) {
            this.out = new BufferedOutputStream(socket, CHUNK_SIZE + 4);
        }

        @Override
        public void write(int b) throws IOException {
            if (used == buffer.length) {
                flushChunk();
            }
            buffer[used++] = (byte) b;
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            while (length > 0) {
                if (used == buffer.length) {
                    flushChunk();
                }
                int n = Math.min(length, buffer.length - used);
                System.arraycopy(bytes, offset, buffer, used, n);
                used += n;
                offset += n;
                length -= n;
            }
        }

        private void flushChunk() throws IOException {
            writeLength(used);
            out.write(buffer, 0, used);
            used = 0;
        }

        private void writeLength(int length) throws IOException {
            out.write(length >>> 24);
            out.write(length >>> 16);
            out.write(length >>> 8);
            out.write(length);
        }

        /** The last chunk and the zero-length end; the socket itself stays open for the reply. */
        @Override
        public void close() throws IOException {
            if (used > 0) {
                flushChunk();
            }
            writeLength(0);
            out.flush();
        }
    }

    @Override
    public String getMailetInfo() {
        return "Stock-style clamd scan (one connection per mail), for the pipeline benchmark";
    }
}
