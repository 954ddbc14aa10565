/**
 * bulwark.properties parsed once into the immutable {@link dev.bulwark.extension.config.BulwarkConfiguration},
 * and the one-line start-up error format. Depends on nothing else in the extension.
 */
package dev.bulwark.extension.config;
