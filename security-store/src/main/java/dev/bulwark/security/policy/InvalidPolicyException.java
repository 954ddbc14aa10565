package dev.bulwark.security.policy;

import java.util.List;

/**
 * A policy document that is not valid: every field that is wrong, each named by its path
 * ({@code spam.quarantineAt: must be a number above spam.tagAt (5.0)}). Nothing was changed.
 */
public final class InvalidPolicyException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** One wrong field: its dotted path and what is expected there. */
    public record FieldError(String field, String message) {
        @Override
        public String toString() {
            return field + ": " + message;
        }
    }

    private final List<FieldError> errors;

    public InvalidPolicyException(List<FieldError> errors) {
        super(String.join("; ", errors.stream().map(FieldError::toString).toList()));
        this.errors = List.copyOf(errors);
    }

    public List<FieldError> errors() {
        return errors;
    }
}
