package dev.bulwark.scanner.clamd;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.bulwark.scanner.endpoint.Endpoint;
import dev.bulwark.scanner.endpoint.WeightedEndpoint;

/**
 * A fake clamd on 127.0.0.1 for the faults a real clamd cannot produce on demand: garbage, partial and
 * out-of-turn replies, resets mid-stream, stalls, a daemon that stops reading, a daemon that dies and
 * comes back on the same port.
 *
 * <p>It speaks the {@code z} commands both one-shot ({@code stream: OK\0}, then the connection closes) and
 * in {@code IDSESSION} mode ({@code <n>: stream: OK\0}, n counting the session's commands from 1, until
 * {@code zEND\0}). What it does for each command is scripted: {@link #script} queues actions for the next
 * commands of a kind, {@link #always} sets what it does once the queue is empty. By default it behaves
 * like a healthy clamd: INSTREAM {@code stream: OK} (or the size-limit error above
 * {@link #STREAM_MAX_LENGTH}), PING {@code PONG}, VERSION {@link #VERSION_REPLY}.
 *
 * <p>It counts connections accepted and open, and commands received per kind. One thread accepts, one
 * thread serves each connection; {@link #close()} ends them all and fails if one is left running.
 */
public final class ScriptableClamd implements AutoCloseable {
    static final String VERSION_REPLY = "ClamAV 1.4.1/27400/Tue Sep 10 10:00:00 2024";
    static final String SIZE_LIMIT_REPLY = "INSTREAM size limit exceeded. ERROR";
    /** clamd's StreamMaxLength in Bulwark's scanners.sh. */
    static final long STREAM_MAX_LENGTH = 25L * 1024 * 1024;
    private static final int MAX_COMMAND = 256;

    public enum Command {
        IDSESSION, END, INSTREAM, PING, VERSION, STATS, UNKNOWN;

        static Command of(String name) {
            for (Command command : values()) {
                if (command.name().equals(name)) {
                    return command;
                }
            }
            return UNKNOWN;
        }
    }

    /** What the fake does for one command; returns whether the connection stays open for more commands. */
    @FunctionalInterface
    public interface Action {
        boolean perform(Exchange exchange) throws IOException;
    }

    private final int port;
    private final Map<Command, Deque<Action>> scripts = new EnumMap<>(Command.class);
    private final Map<Command, Action> defaults = new EnumMap<>(Command.class);
    private final Map<Command, AtomicInteger> commands = new EnumMap<>(Command.class);
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger faults = new AtomicInteger();
    private final AtomicLong bytesStreamed = new AtomicLong();
    private final AtomicInteger threadCount = new AtomicInteger();
    private final ConcurrentLinkedQueue<Thread> threads = new ConcurrentLinkedQueue<>();
    private final Set<Socket> connections = new HashSet<>();
    private ServerSocket server;
    private Thread acceptor;
    private CountDownLatch stopped = new CountDownLatch(1);

    private ScriptableClamd(ServerSocket server) {
        this.server = server;
        this.port = server.getLocalPort();
        for (Command command : Command.values()) {
            scripts.put(command, new ArrayDeque<>());
            commands.put(command, new AtomicInteger());
        }
        defaults.put(Command.INSTREAM, answer("stream: OK"));
        defaults.put(Command.PING, answer("PONG"));
        defaults.put(Command.VERSION, answer(VERSION_REPLY));
        defaults.put(Command.STATS, answer("POOLS: 1\n\nSTATE: VALID PRIMARY\nTHREADS: live 1  idle 0 max 10 idle-timeout 30\n"
            + "QUEUE: 0 items\nMEMSTATS: heap N/A mmap N/A used N/A free N/A releasable N/A pools 1 pools_used 1.0M pools_total 1.0M\nEND"));
        defaults.put(Command.UNKNOWN, exchange -> {
            exchange.reply("UNKNOWN COMMAND");
            return false;
        });
    }

    /** Listens on a free loopback port. */
    public static ScriptableClamd start() throws IOException {
        ScriptableClamd fake = new ScriptableClamd(listen(0));
        fake.startAccepting();
        return fake;
    }

    private static ServerSocket listen(int port) throws IOException {
        ServerSocket socket = new ServerSocket();
        try {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    public Endpoint endpoint() {
        return new Endpoint("127.0.0.1", port);
    }

    WeightedEndpoint weighted() {
        return new WeightedEndpoint(endpoint(), 1);
    }

    // ---- scripting ----

    /** Queues what the fake does for the next commands of this kind, one action per command. */
    synchronized ScriptableClamd script(Command command, Action... actions) {
        scripts.get(command).addAll(List.of(actions));
        return this;
    }

    /** What the fake does for this kind of command once its queue is empty. */
    public synchronized ScriptableClamd always(Command command, Action action) {
        defaults.put(command, action);
        return this;
    }

    /** Queues actions for the next INSTREAM commands. */
    ScriptableClamd onScan(Action... actions) {
        return script(Command.INSTREAM, actions);
    }

    private synchronized Action actionFor(Command command) {
        Action next = scripts.get(command).poll();
        return next != null ? next : defaults.getOrDefault(command, defaults.get(Command.UNKNOWN));
    }

    // ---- actions ----

    /** Reads the whole stream (if any) and answers {@code reply}, numbered in a session. */
    public static Action answer(String reply) {
        return exchange -> {
            if (!exchange.readStream()) {
                return false;
            }
            exchange.reply(reply);
            return true;
        };
    }

    /** Reads the whole stream and answers {@code <number>: reply} whatever the command's number. */
    static Action answerNumbered(int number, String reply) {
        return exchange -> {
            if (!exchange.readStream()) {
                return false;
            }
            exchange.write((number + ": " + reply + "\0").getBytes(StandardCharsets.UTF_8));
            return true;
        };
    }

    /** Reads the whole stream and writes exactly these bytes: no number, no terminator added. */
    static Action garbage(byte[] bytes) {
        byte[] copy = bytes.clone();
        return exchange -> {
            if (!exchange.readStream()) {
                return false;
            }
            exchange.write(copy);
            return true;
        };
    }

    /** Reads the whole stream, writes the start of a reply (numbered in a session) with no terminator, and closes. */
    static Action partial(String text) {
        return exchange -> {
            if (!exchange.readStream()) {
                return false;
            }
            exchange.write((exchange.prefix() + text).getBytes(StandardCharsets.UTF_8));
            exchange.fault();
            return false;
        };
    }

    /** Reads the first chunk only, then resets the connection (SO_LINGER 0) while the client is still sending. */
    static Action resetMidStream() {
        return exchange -> {
            exchange.readFirstChunk();
            exchange.reset();
            exchange.fault();
            return false;
        };
    }

    /** Reads the whole stream and never answers; the connection ends when the client closes it. */
    static Action stall() {
        return exchange -> {
            if (!exchange.readStream()) {
                return false;
            }
            exchange.fault();
            exchange.drainUntilClientCloses();
            return false;
        };
    }

    /** Reads nothing more (not even the stream) until the fake is stopped: the client's writes block. */
    static Action stopReading() {
        return exchange -> {
            exchange.fault();
            exchange.hangUntilStopped();
            return false;
        };
    }

    /** As clamd past StreamMaxLength: reads the first chunk, answers the size-limit error and closes. */
    static Action sizeLimitExceeded() {
        return exchange -> {
            exchange.readFirstChunk();
            exchange.reply(SIZE_LIMIT_REPLY);
            exchange.close();
            exchange.fault();
            return false;
        };
    }

    // ---- counters ----

    int accepted() {
        return accepted.get();
    }

    int open() {
        return open.get();
    }

    int commands(Command command) {
        return commands.get(command).get();
    }

    int commandsReceived() {
        return commands.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    /** Scripted faults carried out: resets, stalls, partial replies, size-limit errors. */
    int faults() {
        return faults.get();
    }

    /** Bytes of message received in INSTREAM chunks, over all connections. */
    long bytesStreamed() {
        return bytesStreamed.get();
    }

    // ---- life cycle ----

    /** Stops listening and drops every connection, as a dead daemon: connecting is refused until {@link #restart()}. */
    void refuse() {
        List<Socket> toClose;
        Thread accepting;
        synchronized (this) {
            if (server == null) {
                return;
            }
            closeQuietly(server);
            server = null;
            stopped.countDown();
            toClose = List.copyOf(connections);
            accepting = acceptor;
        }
        toClose.forEach(ScriptableClamd::closeQuietly);
        // The JDK defers closing a listening socket while a thread is in accept(): until that thread is out,
        // the kernel still completes handshakes. Refused means refused once this returns.
        try {
            accepting.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (accepting.isAlive()) {
            throw new IllegalStateException("fake clamd on " + port + " still accepting after close");
        }
    }

    /** Listens again on the same port, as a daemon coming back. */
    void restart() throws IOException {
        synchronized (this) {
            if (server != null) {
                throw new IllegalStateException("already listening on " + port);
            }
            server = listen(port);
            stopped = new CountDownLatch(1);
            startAccepting();
        }
    }

    @Override
    public void close() {
        refuse();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (Thread thread : threads) {
            try {
                thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        List<String> alive = threads.stream().filter(Thread::isAlive).map(Thread::getName).toList();
        if (!alive.isEmpty()) {
            throw new IllegalStateException("fake clamd threads still running after close: " + alive);
        }
    }

    @Override
    public String toString() {
        return "ScriptableClamd[" + port + "]";
    }

    private synchronized void startAccepting() {
        ServerSocket listening = server;
        acceptor = newThread("accept", () -> acceptLoop(listening));
    }

    private Thread newThread(String role, Runnable body) {
        Thread thread = new Thread(body, "scriptable-clamd-" + port + "-" + role + "-" + threadCount.incrementAndGet());
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
        return thread;
    }

    private void acceptLoop(ServerSocket listening) {
        while (true) {
            Socket socket;
            try {
                socket = listening.accept();
            } catch (IOException closed) {
                return;
            }
            accepted.incrementAndGet();
            open.incrementAndGet();
            CountDownLatch stopSignal;
            synchronized (this) {
                if (server != listening) {
                    // Stopped while this connection was being accepted: a dead daemon keeps nothing.
                    closeQuietly(socket);
                    open.decrementAndGet();
                    continue;
                }
                connections.add(socket);
                stopSignal = stopped;
            }
            newThread("connection", () -> serve(socket, stopSignal));
        }
    }

    private void serve(Socket socket, CountDownLatch stopSignal) {
        try (socket) {
            socket.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            boolean session = false;
            int number = 0;
            while (true) {
                String name = readCommand(in);
                if (name == null) {
                    return;
                }
                Command command = Command.of(name);
                commands.get(command).incrementAndGet();
                if (command == Command.IDSESSION && !session) {
                    session = true;
                    continue;
                }
                if (command == Command.END) {
                    return;
                }
                if (session) {
                    number++;
                }
                Exchange exchange = new Exchange(socket, in, out, command, session ? number : 0, stopSignal);
                boolean keepOpen = actionFor(command).perform(exchange);
                if (!keepOpen || !session || socket.isClosed()) {
                    return;
                }
            }
        } catch (IOException connectionOver) {
            // The client went away or the fake was stopped.
        } finally {
            synchronized (this) {
                connections.remove(socket);
            }
            open.decrementAndGet();
        }
    }

    /** A {@code z} command up to its NUL (or an {@code n} command up to its newline); null at EOF. */
    private static String readCommand(InputStream in) throws IOException {
        int first = in.read();
        if (first == -1) {
            return null;
        }
        int terminator = first == 'n' ? '\n' : 0;
        ByteArrayOutputStream name = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != terminator) {
            if (b == -1) {
                return null;
            }
            if (name.size() >= MAX_COMMAND) {
                return "?";
            }
            name.write(b);
        }
        return (first == 'z' || first == 'n') ? name.toString(StandardCharsets.US_ASCII) : "?";
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // Closing anyway.
        }
    }

    /** One command on one connection, as the actions see it. */
    final class Exchange {
        private final Socket socket;
        private final DataInputStream in;
        private final OutputStream out;
        private final Command command;
        private final int number;
        private final CountDownLatch stopSignal;

        private Exchange(Socket socket, InputStream in, OutputStream out, Command command, int number, CountDownLatch stopSignal) {
            this.socket = socket;
            this.in = new DataInputStream(in);
            this.out = out;
            this.command = command;
            this.number = number;
            this.stopSignal = stopSignal;
        }

        Command command() {
            return command;
        }

        /** {@code "<n>: "} in a session, empty one-shot. */
        String prefix() {
            return number > 0 ? number + ": " : "";
        }

        /**
         * Reads the INSTREAM chunks up to the zero-length one (nothing for other commands). Past
         * {@link #STREAM_MAX_LENGTH} it answers the size-limit error and closes as clamd does, and returns false.
         */
        boolean readStream() throws IOException {
            if (command != Command.INSTREAM) {
                return true;
            }
            long total = 0;
            while (true) {
                int length = in.readInt();
                if (length == 0) {
                    return true;
                }
                total += Integer.toUnsignedLong(length);
                if (length < 0 || total > STREAM_MAX_LENGTH) {
                    reply(SIZE_LIMIT_REPLY);
                    close();
                    return false;
                }
                in.readFully(new byte[length]);
                bytesStreamed.addAndGet(length);
            }
        }

        /** Reads one chunk: its length and its bytes. */
        void readFirstChunk() throws IOException {
            if (command != Command.INSTREAM) {
                return;
            }
            int length = in.readInt();
            if (length < 0 || length > 16 * 1024 * 1024) {
                throw new EOFException("not a chunk length: " + length);
            }
            in.readFully(new byte[length]);
            bytesStreamed.addAndGet(length);
        }

        /** Writes {@code reply} numbered in a session, NUL-terminated. */
        void reply(String reply) throws IOException {
            write((prefix() + reply + "\0").getBytes(StandardCharsets.UTF_8));
        }

        void write(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
        }

        /** Closes with an RST: SO_LINGER 0. */
        void reset() throws IOException {
            socket.setSoLinger(true, 0);
            socket.close();
        }

        void close() throws IOException {
            socket.close();
        }

        void drainUntilClientCloses() throws IOException {
            byte[] sink = new byte[8192];
            while (in.read(sink) != -1) {
                // Discard: a stalled daemon reads and never answers.
            }
        }

        void hangUntilStopped() throws IOException {
            try {
                if (!stopSignal.await(60, TimeUnit.SECONDS)) {
                    throw new IOException("fake clamd was never stopped");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }

        void fault() {
            faults.incrementAndGet();
        }
    }
}
