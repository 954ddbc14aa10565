/**
 * Several James nodes on one PostgreSQL security store, and scanner endpoints discovered by host name
 * (ScannerDiscoveryTest runs in its own Surefire execution).
 */
package dev.bulwark.it.cluster;
