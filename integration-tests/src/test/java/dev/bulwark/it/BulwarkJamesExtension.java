package dev.bulwark.it;

import java.util.function.Consumer;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import dev.bulwark.launcher.BulwarkJames;
import dev.bulwark.launcher.ConfFolder;
import dev.bulwark.scanner.testing.RspamdDaemon;
import dev.bulwark.scanner.testing.ScannerDaemonsExtension;

/**
 * One Bulwark James per test class, started before its first test on the run's real scanners, with
 * james-conf/ as it is; registered with {@code @RegisterExtension} it can apply a few edits first (they
 * may name a {@link dev.bulwark.scanner.testing.PrivateScanners} registered before it). Stopped, and its
 * work directory removed, after the class. {@link #onRspamd(Consumer)}: the same James checking spam with the run's
 * rspamd ({@code spam.engine=rspamd}) instead of spamd.
 */
public final class BulwarkJamesExtension implements BeforeAllCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(BulwarkJamesExtension.class);

    private final Consumer<ConfFolder> edits;
    private final boolean rspamd;

    public BulwarkJamesExtension() {
        this(conf -> { });
    }

    public BulwarkJamesExtension(Consumer<ConfFolder> edits) {
        this(edits, false);
    }

    private BulwarkJamesExtension(Consumer<ConfFolder> edits, boolean rspamd) {
        this.edits = edits;
        this.rspamd = rspamd;
    }

    /**
     * A James whose spam engine is the run's rspamd ({@code spam.engine=rspamd}, its scan port and controller);
     * {@code edits} come after, so they may point it elsewhere.
     */
    public static BulwarkJamesExtension onRspamd(Consumer<ConfFolder> edits) {
        return new BulwarkJamesExtension(edits, true);
    }

    private record Running(JamesStarter starter, BulwarkJames james) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            starter.close();
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        james(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == BulwarkJames.class;
    }

    @Override
    public BulwarkJames resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return james(extensionContext);
    }

    private static Consumer<ConfFolder> rspamdEdits(ExtensionContext context) {
        RspamdDaemon daemon = ScannerDaemonsExtension.rspamd(context);
        return conf -> conf
            .setProperty("bulwark.properties", "spam.engine", "rspamd")
            .setProperty("bulwark.properties", "rspamd.endpoints", daemon.address())
            .setProperty("bulwark.properties", "rspamd.controllerEndpoints", daemon.controllerAddress());
    }

    private BulwarkJames james(ExtensionContext context) {
        ExtensionContext classContext = context.getTestMethod().isPresent() ? context.getParent().orElseThrow() : context;
        return classContext.getStore(NAMESPACE).getOrComputeIfAbsent(Running.class, key -> {
            JamesStarter starter = new JamesStarter(ScannerDaemonsExtension.daemons(context));
            try {
                Consumer<ConfFolder> all = rspamd ? rspamdEdits(context).andThen(edits) : edits;
                return new Running(starter, starter.start(all));
            } catch (Exception e) {
                starter.close();
                throw new IllegalStateException("James with Bulwark did not start", e);
            }
        }, Running.class).james();
    }
}
