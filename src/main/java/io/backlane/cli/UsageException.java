package io.backlane.cli;

import java.util.function.Supplier;

/**
 * A mistake in the command line found after parsing (options that do not fit together, or do not
 * fit the data): reported like a parse error, with exit code 2.
 */
final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }

    /** Runs a configuration step; the library's IllegalArgumentException (a value it refuses) becomes a usage error. */
    static <T> T wrap(Supplier<T> step) {
        try {
            return step.get();
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }
}
