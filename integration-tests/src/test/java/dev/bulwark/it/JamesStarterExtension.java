package dev.bulwark.it;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import dev.bulwark.scanner.testing.ScannerDaemonsExtension;

/**
 * Gives a test method (or a {@code @BeforeAll} method) a {@link JamesStarter} on the run's scanners, for
 * tests whose subject is James's start-up, stop or restart, or that need more than one James.
 */
public final class JamesStarterExtension implements ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(JamesStarterExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == JamesStarter.class;
    }

    @Override
    public JamesStarter resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return starter(extensionContext);
    }

    /** The starter of this context (a test method's, or the class's), made on first use and closed when the context ends. */
    static JamesStarter starter(ExtensionContext context) {
        return context.getStore(NAMESPACE).getOrComputeIfAbsent(JamesStarter.class,
            key -> new JamesStarter(ScannerDaemonsExtension.daemons(context)), JamesStarter.class);
    }
}
