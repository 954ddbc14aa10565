/**
 * Starts James 3.8.1 in this JVM with Bulwark installed as an operator installs it ({@link dev.bulwark.launcher.BulwarkJames}:
 * james-conf/ as conf/, the drop-in jar in extensions-jars/), and runs the main job on it
 * ({@link dev.bulwark.launcher.LocalBulwark}, {@link dev.bulwark.launcher.SampleReport}). It never links to Bulwark's
 * classes: James loads them from the jar, and this package talks to them only through files, SMTP, IMAP and
 * webadmin, so the integration tests that start James through it see Bulwark exactly as production does.
 */
package dev.bulwark.launcher;
