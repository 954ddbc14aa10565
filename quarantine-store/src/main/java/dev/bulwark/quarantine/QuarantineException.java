package dev.bulwark.quarantine;

/** A quarantine operation refused, with the kind of problem so that webadmin can answer 404, 409 or 400. */
public class QuarantineException extends RuntimeException {
    public enum Problem { NOT_FOUND, CONFLICT, INVALID }

    private final Problem problem;

    public QuarantineException(Problem problem, String message) {
        super(message);
        this.problem = problem;
    }

    public Problem problem() {
        return problem;
    }
}
