package io.backlane.cli;

import io.backlane.data.DataFormatException;
import io.backlane.io.ModelFormatException;

import java.io.IOException;

/**
 * An I/O failure on a path that the user gave, named with the option it came from:
 * {@code --model /tmp: Is a directory} rather than a bare {@code Is a directory}, which some JDK
 * reads report without any file name.
 */
final class PathOptionException extends IOException {
    private PathOptionException(String option, String path, IOException cause) {
        super(option + " " + path + ": " + reason(path, cause), cause);
    }

    /** An I/O action on the path of an option. */
    @FunctionalInterface
    interface IoAction<T> {
        T run() throws IOException;
    }

    /**
     * Runs {@code action}; an {@link IOException} from it comes back naming {@code option} and
     * {@code path}. Format errors pass unchanged: they already name the file, line and column.
     */
    static <T> T on(String option, Object path, IoAction<T> action) throws IOException {
        try {
            return action.run();
        } catch (DataFormatException | ModelFormatException | PathOptionException e) {
            throw e;
        } catch (IOException e) {
            throw new PathOptionException(option, String.valueOf(path), e);
        }
    }

    /** The cause's message without a leading repetition of the path. */
    private static String reason(String path, IOException cause) {
        String text = Main.describe(cause);
        if (text == null) {
            text = cause.toString();
        }
        return text.startsWith(path + ": ") ? text.substring(path.length() + 2) : text;
    }
}
