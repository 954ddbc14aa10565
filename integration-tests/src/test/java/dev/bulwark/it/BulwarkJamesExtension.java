package dev.bulwark.it;

import java.util.function.Consumer;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import dev.bulwark.launcher.BulwarkJames;
import dev.bulwark.launcher.ConfFolder;
import dev.bulwark.scanner.testing.ScannerDaemonsExtension;

/**
 * One Bulwark James per test class, started before its first test on the run's real scanners, with
 * james-conf/ as it is; registered with {@code @RegisterExtension} it can apply a few edits first (they
 * may name a {@link dev.bulwark.scanner.testing.PrivateScanners} registered before it). Stopped, and its
 * work directory removed, after the class.
 */
public final class BulwarkJamesExtension implements BeforeAllCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(BulwarkJamesExtension.class);

    private final Consumer<ConfFolder> edits;

    public BulwarkJamesExtension() {
        this(conf -> { });
    }

    public BulwarkJamesExtension(Consumer<ConfFolder> edits) {
        this.edits = edits;
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

    private BulwarkJames james(ExtensionContext context) {
        ExtensionContext classContext = context.getTestMethod().isPresent() ? context.getParent().orElseThrow() : context;
        return classContext.getStore(NAMESPACE).getOrComputeIfAbsent(Running.class, key -> {
            JamesStarter starter = new JamesStarter(ScannerDaemonsExtension.daemons(context));
            try {
                return new Running(starter, starter.start(edits));
            } catch (Exception e) {
                starter.close();
                throw new IllegalStateException("James with Bulwark did not start", e);
            }
        }, Running.class).james();
    }
}
