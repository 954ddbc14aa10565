package dev.bulwark.scanner.spamd;

/** The spamd checks: the verdict alone, with the rules that hit, or with the full report. */
public enum SpamdCommand {
    CHECK, SYMBOLS, REPORT
}
