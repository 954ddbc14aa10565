/**
 * Data at rest kept owner-only: {@code OwnerOnly} (0700 folders, 0600 files) and
 * {@code PrivateFileMailRepository}, James's file mail repository with owner-only folders and mail files
 * (quarantine, held mail). The SQLite security store uses {@code OwnerOnly} for its file.
 */
package dev.bulwark.extension.privacy;
