/**
 * What callers see of the scanners: {@link dev.bulwark.scanner.verdict.VirusScanner} and
 * {@link dev.bulwark.scanner.verdict.SpamChecker}, the verdicts they return
 * ({@link dev.bulwark.scanner.verdict.ScanVerdict}, {@link dev.bulwark.scanner.verdict.SpamVerdict}), and the
 * message they read ({@link dev.bulwark.scanner.verdict.MessageContent}). The mailets know nothing else of
 * scanner-pool. Depends on endpoint only.
 */
package dev.bulwark.scanner.verdict;
