package io.backlane.cli;

/**
 * A mistake in the command line found after parsing (options that do not fit together, or do not
 * fit the data): reported like a parse error, with exit code 2.
 */
final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }
}
