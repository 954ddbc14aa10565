package dev.bulwark.scanner.clamd;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.NoSuchElementException;

import org.apache.commons.pool2.BasePooledObjectFactory;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.DefaultPooledObject;
import org.apache.commons.pool2.impl.GenericObjectPool;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;

import dev.bulwark.scanner.endpoint.Endpoint;
import dev.bulwark.scanner.endpoint.WeightedEndpoint;
import dev.bulwark.scanner.pool.EndpointLink;
import dev.bulwark.scanner.pool.ScanTimer;
import dev.bulwark.scanner.verdict.MessageContent;
import dev.bulwark.scanner.verdict.ScanVerdict;
import dev.bulwark.scanner.wire.BadReplyException;
import dev.bulwark.scanner.wire.MessageReadException;
import dev.bulwark.scanner.wire.ScannerTimeouts;

/**
 * clamd's link to one endpoint: a Commons Pool of persistent IDSESSION sessions (at most
 * {@code maxConnectionsPerEndpoint}, a bounded wait to borrow one, validation by PING of sessions idle for
 * over a second, idle eviction), and one scan on one of them. A dead connection (refused, reset, stalled,
 * closed mid-reply) lets the pool retry the scan elsewhere; a bad reply, an unreadable message or no free
 * session in time do not.
 */
final class ClamdSessions implements EndpointLink<ClamdClient, MessageContent, ScanVerdict> {
    private static final Duration VALIDATE_AFTER_IDLE = Duration.ofSeconds(1);

    private final ClamdPoolConfig config;
    private final ClamdClient client;
    private final GenericObjectPool<ClamdSession> sessions;

    ClamdSessions(WeightedEndpoint endpoint, ClamdPoolConfig config) {
        this.config = config;
        this.client = new ClamdClient(endpoint.endpoint(), config.timeouts(), config.chunkSize());
        this.sessions = new GenericObjectPool<>(new SessionFactory(endpoint.endpoint(), config.timeouts()), poolConfig(config));
    }

    @Override
    public ClamdClient client() {
        return client;
    }

    @Override
    public Attempt<ScanVerdict> attempt(MessageContent content, Tally tally) {
        Endpoint endpoint = tally.endpoint();
        tally.called();
        ClamdSession session = null;
        try {
            session = sessions.borrowObject(config.borrowTimeout());
            ScanTimer.Running timing = tally.startTimer();
            ScanVerdict verdict;
            try {
                verdict = session.scan(content, config.chunkSize());
            } finally {
                timing.stop();
            }
            if (verdict.status() == ScanVerdict.Status.ERROR) {
                tally.badReply(verdict.reason().orElse("bad reply"));
                return Attempt.done(verdict);
            }
            tally.answered();
            return Attempt.done(client.currentVersion().map(v -> verdict.withEngine(v.toString())).orElse(verdict));
        } catch (NoSuchElementException exhausted) {
            // Busy, not broken: the least-loaded choice has nowhere better to send it.
            return Attempt.done(ScanVerdict.error("no connection to clamd at " + endpoint + " free within "
                + config.borrowTimeout().toMillis() + " ms", endpoint));
        } catch (MessageReadException e) {
            return Attempt.done(ScanVerdict.error("could not read the message: " + e.getMessage(), endpoint));
        } catch (BadReplyException e) {
            String reason = "bad reply from clamd: " + e.getMessage();
            tally.badReply(reason);
            return Attempt.done(ScanVerdict.error(reason, endpoint));
        } catch (SocketTimeoutException e) {
            return died(tally, "clamd did not answer within " + config.timeouts().read().toMillis() + " ms");
        } catch (Exception e) {
            return died(tally, "clamd unreachable: " + e.getMessage());
        } finally {
            release(session);
        }
    }

    private static Attempt<ScanVerdict> died(Tally tally, String reason) {
        tally.died(reason);
        return Attempt.elsewhere(ScanVerdict.error(reason, tally.endpoint()));
    }

    private void release(ClamdSession session) {
        if (session == null) {
            return;
        }
        if (session.isBroken()) {
            try {
                sessions.invalidateObject(session);
            } catch (Exception ignored) {
                // Invalidation closes the session; nothing more can be done.
            }
        } else {
            sessions.returnObject(session);
        }
    }

    @Override
    public int active() {
        return sessions.getNumActive();
    }

    @Override
    public int idle() {
        return sessions.getNumIdle();
    }

    /** Sessions opened before an outage are dead: the first scans after it must not find them. */
    @Override
    public void dropIdle() {
        sessions.clear();
    }

    /** Idle sessions close now; lent ones when their scan returns them. */
    @Override
    public void close() {
        sessions.close();
    }

    private static GenericObjectPoolConfig<ClamdSession> poolConfig(ClamdPoolConfig config) {
        GenericObjectPoolConfig<ClamdSession> pool = new GenericObjectPoolConfig<>();
        pool.setMaxTotal(config.maxConnectionsPerEndpoint());
        pool.setMaxIdle(config.maxConnectionsPerEndpoint());
        pool.setMinIdle(0);
        pool.setBlockWhenExhausted(true);
        pool.setMaxWait(config.borrowTimeout());
        pool.setTestOnBorrow(true);
        pool.setTestOnReturn(false);
        pool.setLifo(true);
        pool.setMinEvictableIdleTime(config.idleTimeout());
        pool.setTimeBetweenEvictionRuns(config.idleTimeout().dividedBy(2));
        pool.setNumTestsPerEvictionRun(config.maxConnectionsPerEndpoint());
        pool.setJmxEnabled(false);
        return pool;
    }

    /** Opens IDSESSION connections; validates a lent session with PING only when it sat idle a while. */
    private static final class SessionFactory extends BasePooledObjectFactory<ClamdSession> {
        private final Endpoint endpoint;
        private final ScannerTimeouts timeouts;

        SessionFactory(Endpoint endpoint, ScannerTimeouts timeouts) {
            this.endpoint = endpoint;
            this.timeouts = timeouts;
        }

        @Override
        public ClamdSession create() throws IOException {
            return ClamdSession.open(endpoint, timeouts);
        }

        @Override
        public PooledObject<ClamdSession> wrap(ClamdSession session) {
            return new DefaultPooledObject<>(session);
        }

        @Override
        public boolean validateObject(PooledObject<ClamdSession> pooled) {
            ClamdSession session = pooled.getObject();
            if (session.isBroken()) {
                return false;
            }
            if (pooled.getIdleDuration().compareTo(VALIDATE_AFTER_IDLE) < 0) {
                return true;
            }
            try {
                session.ping();
                return true;
            } catch (IOException e) {
                return false;
            }
        }

        @Override
        public void destroyObject(PooledObject<ClamdSession> pooled) {
            pooled.getObject().close();
        }
    }
}
