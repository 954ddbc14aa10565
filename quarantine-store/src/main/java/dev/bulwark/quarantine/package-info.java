/** Quarantine on a James MailRepository: store, list, release, purge (issue #5). */
package dev.bulwark.quarantine;
