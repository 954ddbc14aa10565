/**
 * The attachment check behind {@code HasBannedAttachment}: {@code AttachmentInspector} walks a message's
 * MIME tree as javax.mail reads it and compares it with James's own reading (mime4j), opens what mail
 * clients open (zip, RAR file lists, winmail.dat, uuencoded files, attached messages), and sorts what it
 * finds by kind (banned, encrypted, uninspectable, damaged, unopened) for {@code AttachmentPolicy} to
 * decide on. Plain Java and javax.mail; no mailet types.
 */
package dev.bulwark.matchers.attachments;
