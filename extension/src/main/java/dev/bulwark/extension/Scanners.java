package dev.bulwark.extension;

import javax.annotation.PreDestroy;
import javax.inject.Inject;
import javax.inject.Singleton;

import dev.bulwark.scanner.ClamdPool;
import dev.bulwark.scanner.SpamdPool;

/** The scanner pools built from bulwark.properties; closed (connections, prober threads) when James stops. */
@Singleton
public class Scanners implements AutoCloseable {
    private final ClamdPool clamd;
    private final SpamdPool spamd;

    @Inject
    public Scanners(BulwarkConfiguration configuration) {
        this.clamd = new ClamdPool(configuration.clamd());
        this.spamd = new SpamdPool(configuration.spamd());
    }

    public ClamdPool clamd() {
        return clamd;
    }

    public SpamdPool spamd() {
        return spamd;
    }

    @PreDestroy
    @Override
    public void close() {
        clamd.close();
        spamd.close();
    }
}
