package dev.bulwark.bench.pipeline;

/** The pipelines measured, in the order they run. */
enum Pipeline {
    BULWARK("Bulwark", "james-conf/ as shipped (VirusScan, SpamCheck, quarantine, notices...), bulwark.jar in extensions-jars/", true),
    STOCK("stock", "the same routing from James's own mailets: a ClamAVScan-style clamd mailet (one connection per mail) "
        + "and org.apache.james.spamassassin.SpamAssassin (apache-james-spamassassin 3.8.1)", true),
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
}
