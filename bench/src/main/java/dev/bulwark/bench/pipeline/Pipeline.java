package dev.bulwark.bench.pipeline;

/** The pipelines measured, in the order they run. */
enum Pipeline {
    BULWARK("Bulwark+spamd", "james-conf/ as shipped (VirusScan, SpamCheck, quarantine, notices...), bulwark.jar in extensions-jars/, "
        + "spam.engine=spamd: one spamd check per mail", true),
    BULWARK_RSPAMD("Bulwark+rspamd", "the same, with spam.engine=rspamd (rspamd.maxMessageSize=500K like spamd's): one rspamd /checkv2 per mail", true),
    STOCK("stock", "the same routing from James's own mailets: a ClamAVScan-style clamd mailet (one connection per mail) "
        + "and org.apache.james.spamassassin.SpamAssassin (apache-james-spamassassin 3.8.1), which checks once per recipient", true),
    AMAVISD("amavisd-new", "amavisd-new (Debian's package) as an SMTP content filter in front of a James without scanning: the load "
        + "generator sends to amavisd, which decodes the MIME parts, has the same clamd scan them (CONTSCAN), runs SpamAssassin "
        + "in-process once per mail (same rules, local tests only), and forwards to James", true),
    NO_SCAN("no scanning", "the same James and delivery without any scanning: James's own ceiling", false);

    final String label;
    final String description;
    final boolean scanning;

    Pipeline(String label, String description, boolean scanning) {
        this.label = label;
        this.description = description;
        this.scanning = scanning;
    }

    String code() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /** James's own configuration: Bulwark's, or the sample's delivery with the given root processor. */
    boolean bulwark() {
        return this == BULWARK || this == BULWARK_RSPAMD;
    }
}
