/**
 * Mail that reaches a mailbox by any path: store-level scanning, retroactive rescans and releases, the pipeline
 * canary, the integrity watch, learning from users' moves into and out of junk.
 */
package dev.bulwark.it.store;
