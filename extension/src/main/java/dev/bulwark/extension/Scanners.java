package dev.bulwark.extension;

import java.util.List;

import dev.bulwark.scanner.ClamdClient;
import dev.bulwark.scanner.SpamdClient;

/** The daemon clients built from bulwark.properties, one per configured endpoint. */
public record Scanners(List<ClamdClient> clamd, SpamdClient spamd) {
    public Scanners {
        clamd = List.copyOf(clamd);
    }

    static Scanners from(BulwarkConfiguration configuration) {
        return new Scanners(
            configuration.clamdEndpoints().stream()
                .map(endpoint -> new ClamdClient(endpoint, configuration.clamdTimeouts()))
                .toList(),
            new SpamdClient(configuration.spamdEndpoint(), configuration.spamdTimeouts()));
    }
}
