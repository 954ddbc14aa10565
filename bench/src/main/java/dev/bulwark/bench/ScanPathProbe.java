package dev.bulwark.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import dev.bulwark.bench.ScannerPoolBenchmark.Cell;
import dev.bulwark.bench.ScannerPoolBenchmark.Contender;
import dev.bulwark.bench.ScannerPoolBenchmark.Errors;
import dev.bulwark.bench.ScannerPoolBenchmark.Kind;
import dev.bulwark.bench.ScannerPoolBenchmark.Payload;
import dev.bulwark.bench.ScannerPoolBenchmark.Worker;
import dev.bulwark.scanner.clamd.ClamdPool;
import dev.bulwark.scanner.clamd.ClamdPoolConfig;
import dev.bulwark.scanner.endpoint.Endpoint;
import dev.bulwark.scanner.endpoint.WeightedEndpoint;

/**
 * Diagnostic, not part of the benchmark's table: where the pool's time goes between raw clamd and
 * {@code ClamdPool}. Same session protocol, one variable changed at a time:
 * <ol>
 *   <li>raw, 1 write: {@link RawClamdSession} (blocking socket, whole request in one write);</li>
 *   <li>raw, pool framing: blocking socket, but written as the pool writes it: the command, then per chunk
 *   its 4-byte length and its bytes, then the 4-byte end, each a write of its own (TCP_NODELAY: a segment each);</li>
 *   <li>nio, 1 write: a non-blocking channel waiting through a selector, as {@code DaemonConnection} does;</li>
 *   <li>nio, pool framing: both, i.e. the pool's I/O without Commons Pool and verdict handling;</li>
 *   <li>ClamdPool itself.</li>
 * </ol>
 * {@code java -cp ... dev.bulwark.bench.ScanPathProbe host:port [size=50K] [threads=1,8] [measureMs=3000] [rounds=2]}
 */
public final class ScanPathProbe {
    private ScanPathProbe() {
    }

    public static void main(String[] args) throws Exception {
        Endpoint endpoint = Endpoint.parse(args.length > 0 ? args[0] : "127.0.0.1:3310");
        int size = ScannerPoolBenchmark.parseSize(args.length > 1 ? args[1] : "50K");
        List<Integer> threadCounts = List.of(args.length > 2 ? args[2] : "1,8").stream()
            .flatMap(s -> List.of(s.split(",")).stream()).map(Integer::parseInt).toList();
        long measure = args.length > 3 ? Long.parseLong(args[3]) : 3000;
        int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 2;
        Optional<Long> clamdPid = Machine.findLocalClamd();
        Payload payload = Payload.of(size);
        int chunk = ScannerPoolBenchmark.CHUNK_SIZE;

        Map<String, Supplier<Contender>> variants = new LinkedHashMap<>();
        variants.put("raw, 1 write", () -> perThread(() -> {
            RawClamdSession s = RawClamdSession.open(endpoint);
            return worker(() -> s.scan(payload.framed()), s::close);
        }));
        variants.put("raw, pool framing", () -> perThread(() -> {
            RawClamdSession s = RawClamdSession.open(endpoint);
            return worker(() -> s.scanFramedLikeThePool(payload.bytes(), chunk), s::close);
        }));
        variants.put("nio, 1 write", () -> perThread(() -> {
            NioSession s = NioSession.open(endpoint);
            return worker(() -> s.scan(List.of(payload.framed())), s::close);
        }));
        variants.put("nio, pool framing", () -> perThread(() -> {
            NioSession s = NioSession.open(endpoint);
            List<byte[]> writes = poolWrites(payload.bytes(), chunk);
            return worker(() -> s.scan(writes), s::close);
        }));
        Errors errors = new Errors();

        for (int threads : threadCounts) {
            int t = threads;
            variants.put("ClamdPool", () -> {
                ClamdPool pool = new ClamdPool(ClamdPoolConfig.defaults(List.of(new WeightedEndpoint(endpoint, 1)))
                    .withMaxConnectionsPerEndpoint(t));
                return new Contender() {
                    @Override
                    public Worker worker() {
                        return () -> {
                            var verdict = pool.scan(payload.content(), payload.size());
                            return verdict.isClean() ? null : verdict.toString();
                        };
                    }

                    @Override
                    public void close() {
                        pool.close();
                    }
                };
            });
            // JIT warm-up of every variant, not recorded.
            for (String name : variants.keySet()) {
                ScannerPoolBenchmark.measure(name, variants.get(name), threads, ScannerPoolBenchmark.JVM_WARMUP_MILLIS, 1, clamdPid, errors);
            }
            Map<String, Cell> cells = new LinkedHashMap<>();
            variants.keySet().forEach(name -> cells.put(name, new Cell(Kind.POOL, payload, threads)));
            for (int round = 0; round < rounds; round++) {
                List<String> order = new ArrayList<>(variants.keySet());
                if (round % 2 == 1) {
                    java.util.Collections.reverse(order);
                }
                for (String name : order) {
                    cells.get(name).add(ScannerPoolBenchmark.measure(name, variants.get(name), threads, 1000, measure / rounds, clamdPid, errors));
                }
            }
            System.out.printf(Locale.ROOT, "%n%s, %d thread(s), clamd %s%n", payload.label(), threads, endpoint);
            System.out.printf(Locale.ROOT, "%-20s %9s %9s %9s %10s %10s %6s%n", "variant", "scans/s", "p50 ms", "p99 ms",
                "bench µs", "clamd µs", "busy");
            cells.forEach((name, cell) -> System.out.printf(Locale.ROOT, "%-20s %9.0f %9.2f %9.2f %10.0f %10.0f %5.0f%%%n", name,
                cell.scansPerSecond(), cell.latencyMillis(0.5), cell.latencyMillis(0.99), cell.benchCpuMicrosPerScan(),
                cell.clamdCpuMicrosPerScan(), cell.machineBusyPercent()));
        }
        System.out.println();
        System.out.print(ScannerPoolBenchmark.errorReport(errors));
        System.exit(errors.total.get() == 0 ? 0 : 3);
    }

    interface Opener {
        Worker open() throws IOException;
    }

    interface Scan {
        String reply() throws IOException;
    }

    private static Contender perThread(Opener opener) {
        return new Contender() {
            @Override
            public Worker worker() throws IOException {
                return opener.open();
            }

            @Override
            public void close() {
            }
        };
    }

    private static Worker worker(Scan scan, Runnable close) {
        return new Worker() {
            @Override
            public String scan() throws IOException {
                String reply = scan.reply();
                return reply.equals("stream: OK") ? null : "reply '" + reply + "'";
            }

            @Override
            public void close() {
                close.run();
            }
        };
    }

    /** The writes ClamdSession makes for one scan: command, then length and bytes per chunk, then the end. */
    static List<byte[]> poolWrites(byte[] payload, int chunkSize) {
        List<byte[]> writes = new ArrayList<>();
        writes.add("zINSTREAM\0".getBytes(StandardCharsets.US_ASCII));
        for (int offset = 0; offset < payload.length; offset += chunkSize) {
            int length = Math.min(chunkSize, payload.length - offset);
            writes.add(ByteBuffer.allocate(4).putInt(length).array());
            writes.add(java.util.Arrays.copyOfRange(payload, offset, offset + length));
        }
        writes.add(new byte[4]);
        return writes;
    }

    /** An IDSESSION over a non-blocking channel whose every wait goes through a selector, like DaemonConnection. */
    static final class NioSession implements AutoCloseable {
        private final SocketChannel channel;
        private final Selector selector;
        private final SelectionKey key;
        private final ByteBuffer input = ByteBuffer.allocate(8192).flip();
        private int lastId;

        private NioSession(SocketChannel channel, Selector selector, SelectionKey key) {
            this.channel = channel;
            this.selector = selector;
            this.key = key;
        }

        static NioSession open(Endpoint endpoint) throws IOException {
            SocketChannel channel = SocketChannel.open();
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            Selector selector = Selector.open();
            SelectionKey key = channel.register(selector, 0);
            NioSession session = new NioSession(channel, selector, key);
            if (!channel.connect(new InetSocketAddress(endpoint.host(), endpoint.port()))) {
                session.await(SelectionKey.OP_CONNECT);
                channel.finishConnect();
            }
            session.write("zIDSESSION\0".getBytes(StandardCharsets.US_ASCII));
            return session;
        }

        String scan(List<byte[]> writes) throws IOException {
            int id = ++lastId;
            for (byte[] bytes : writes) {
                write(bytes);
            }
            String reply = readUntilNul();
            String prefix = id + ": ";
            if (!reply.startsWith(prefix)) {
                throw new IOException("out of turn: " + reply);
            }
            return reply.substring(prefix.length());
        }

        private void write(byte[] bytes) throws IOException {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                if (channel.write(buffer) == 0) {
                    await(SelectionKey.OP_WRITE);
                }
            }
        }

        private String readUntilNul() throws IOException {
            StringBuilder reply = new StringBuilder();
            while (true) {
                if (!input.hasRemaining()) {
                    input.clear();
                    int n;
                    try {
                        while ((n = channel.read(input)) == 0) {
                            await(SelectionKey.OP_READ);
                        }
                    } finally {
                        input.flip();
                    }
                    if (n < 0) {
                        throw new IOException("closed");
                    }
                }
                byte b = input.get();
                if (b == 0) {
                    return reply.toString();
                }
                reply.append((char) b);
            }
        }

        private void await(int operation) throws IOException {
            key.interestOps(operation);
            try {
                if (selector.select(30_000) == 0) {
                    throw new IOException("timed out");
                }
            } finally {
                selector.selectedKeys().clear();
                key.interestOps(0);
            }
        }

        @Override
        public void close() {
            try {
                channel.close();
                selector.close();
            } catch (IOException ignored) {
                // Closing anyway.
            }
        }
    }
}
