/**
 * Where scanners are: {@link dev.bulwark.scanner.endpoint.Endpoint} ({@code host:port}),
 * {@link dev.bulwark.scanner.endpoint.WeightedEndpoint} (with a share of the load), and how endpoints given by
 * host name are followed ({@link dev.bulwark.scanner.endpoint.EndpointDiscovery},
 * {@link dev.bulwark.scanner.endpoint.EndpointResolver}). Values only; depends on nothing else in scanner-pool.
 */
package dev.bulwark.scanner.endpoint;
