package dev.bulwark.mailets;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import javax.mail.MessagingException;

import org.apache.mailet.base.GenericMailet;

/** Reads mailet init parameters strictly: a value that is present but wrong is a start-up error. */
final class Parameters {
    private Parameters() {
    }

    /** James's own parameters, accepted on every mailet. */
    private static final Set<String> JAMES_PARAMETERS = Set.of("onMailetException", "onMatchException");

    /**
     * Refuses parameters the mailet does not know, naming the file, the mailet and what it accepts,
     * so that a typo stops James at start-up instead of silently using a default.
     */
    static void checkKnown(GenericMailet mailet, Set<String> known) throws MessagingException {
        List<String> unknown = com.google.common.collect.Streams.stream(mailet.getInitParameterNames())
            .filter(name -> !known.contains(name) && !JAMES_PARAMETERS.contains(name))
            .sorted()
            .toList();
        if (!unknown.isEmpty()) {
            throw new MessagingException("mailetcontainer.xml: mailet " + mailet.getMailetName() + ": unknown parameter "
                + unknown + ", expected one of " + new TreeSet<>(known));
        }
    }

    static boolean bool(GenericMailet mailet, String name, boolean defaultValue) throws MessagingException {
        Optional<String> value = Optional.ofNullable(mailet.getInitParameter(name)).map(String::trim);
        if (value.isEmpty()) {
            return defaultValue;
        }
        return switch (value.get().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes" -> true;
            case "false", "no" -> false;
            default -> throw new MessagingException(mailet.getMailetName() + ": parameter '" + name
                + "' is '" + value.get() + "', expected true or false");
        };
    }

    static Optional<String> text(GenericMailet mailet, String name) {
        return Optional.ofNullable(mailet.getInitParameter(name)).map(String::trim).filter(v -> !v.isEmpty());
    }
}
