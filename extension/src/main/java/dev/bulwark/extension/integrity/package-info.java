/**
 * The integrity watch: scanner self-tests (EICAR/GTUBE), signature age and updates, a broken scanner
 * taken out of its pool, and the {@code Bulwark integrity} health check. Depends on scanners, alerts and rescan.
 */
package dev.bulwark.extension.integrity;
