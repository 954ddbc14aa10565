package dev.bulwark.scanner.testing;

/**
 * Where the test run's real rspamd listens: its scan port (worker-normal) and its controller (learning), and
 * whether it can learn (a redis behind it). Plain strings and ints only, like {@link ScannerDaemons}.
 */
public record RspamdDaemon(String host, int port, int controllerPort, boolean learns) {

    public String address() {
        return host + ":" + port;
    }

    public String controllerAddress() {
        return host + ":" + controllerPort;
    }
}
