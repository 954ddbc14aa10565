package dev.bulwark.scanner.endpoint;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;

/** The addresses a scanner's host name stands for now (a container service, a Kubernetes headless service). */
@FunctionalInterface
public interface EndpointResolver {
    /** The JVM's resolver (DNS, /etc/hosts), subject to its address cache ({@code networkaddress.cache.ttl}). */
    EndpointResolver SYSTEM = host -> Arrays.stream(InetAddress.getAllByName(host)).map(InetAddress::getHostAddress).distinct().toList();

    List<String> addresses(String host) throws UnknownHostException;
}
