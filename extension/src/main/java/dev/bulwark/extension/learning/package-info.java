/**
 * Learning from users: the spam engines are taught what the users say a message is.
 * {@link dev.bulwark.extension.learning.SpamLearningListener} (registered in listeners.xml) hears a message moved or
 * copied into a junk mailbox ({@link dev.bulwark.extension.learning.JunkMailboxes}) as spam, one moved out of it as
 * ham; {@link dev.bulwark.extension.learning.SpamLearning} teaches every configured engine
 * ({@link dev.bulwark.scanner.verdict.SpamLearner}, bound in a set by BulwarkModule) off the event thread, bounded
 * by a queue, a size cap, a per-user rate and a daily cap charged to the user who acted
 * ({@link dev.bulwark.extension.learning.LessonRateLimiter}), and records each outcome as a {@code spam.learned} or
 * {@code spam.learn-failed} event. A mailbox message is taught only with the pipeline's scan stamp for its owner
 * ({@link dev.bulwark.extension.learning.MailboxLessons}): what a user APPENDs is their own text. The quarantine's release
 * with {@code learnAsHam} hands its lessons here too, and so does the optional
 * {@link dev.bulwark.extension.learning.ReadAndKeptHam} (messages read and kept, off by default). Depends on config and the stores (events, metrics).
 */
package dev.bulwark.extension.learning;
