/** Benchmark: Bulwark vs stock James mailets vs raw daemons (issue #9). Never part of mvn verify's pass/fail. */
package dev.bulwark.bench;
