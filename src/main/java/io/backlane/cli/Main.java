package io.backlane.cli;

import io.backlane.data.DataFormatException;
import io.backlane.io.ModelFormatException;
import io.backlane.train.TrainingDivergedException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The {@code backlane} command line: {@code train}, {@code evaluate}, {@code predict},
 * {@code gradcheck}, {@code graph}, {@code serve}, and {@code export} and {@code import} (ONNX).
 *
 * <p>Exit codes: 0 success; 1 a problem with the data, a model file or training (the message names
 * it; {@code --verbose} adds the stack trace); 2 a usage error (the message says what is wrong, and
 * {@code --help} what is right). {@code gradcheck} also exits 1 when the check fails.
 *
 * <pre>{@code
 * int code = Main.run(System.out, System.err, "train", "--data", "breast-cancer");
 * }</pre>
 */
@Command(name = "backlane", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Trains and serves feed-forward neural networks (backpropagation).",
        subcommands = {TrainCommand.class, EvaluateCommand.class, PredictCommand.class, GradcheckCommand.class,
                GraphCommand.class, ServeCommand.class, ExportCommand.class, ImportCommand.class},
        footer = {"", "Exit codes: 0 success, 1 data, model or training error, 2 usage error.",
                "Run 'backlane COMMAND --help' for the options of a command."})
public final class Main implements Callable<Integer> {
    /** Exit code of a data, model-file or training problem (and of a failed gradient check). */
    static final int DATA_ERROR = 1;
    /** Exit code of a usage error (picocli's default for parameter exceptions). */
    static final int USAGE_ERROR = 2;

    static final String LOG_FORMAT_PROPERTY = "java.util.logging.SimpleFormatter.format";

    static {
        // The kernel provider logs one INFO line through System.Logger, which JUL's SimpleFormatter
        // prints on two lines (date and source, then the message) unless told otherwise. This must
        // happen before anything logs: SimpleFormatter reads the property once.
        if (System.getProperty(LOG_FORMAT_PROPERTY) == null) {
            System.setProperty(LOG_FORMAT_PROPERTY, "%4$s: %5$s%6$s%n");
        }
    }

    @Spec
    CommandSpec spec;

    /** Declared so that every command accepts it; the exception handlers read it from the arguments. */
    @Option(names = "--verbose", scope = ScopeType.INHERIT,
            description = "On an error, also print the stack trace.")
    boolean verbose;

    /** Standard input, for {@code predict} (replaceable in tests). */
    final InputStream stdin;
    /** Whether standard output is a terminal, where progress may redraw one line. */
    final boolean interactive;

    private Main(InputStream stdin, boolean interactive) {
        this.stdin = stdin;
        this.interactive = interactive;
    }

    public static void main(String[] args) {
        System.exit(run(System.in, System.out, System.err, args));
    }

    /** Runs one command line with the process's standard streams; returns the exit code. */
    static int run(PrintStream out, PrintStream err, String... args) {
        return run(System.in, out, err, args);
    }

    /** Runs one command line in process, reading standard input from {@code in}; returns the exit code. */
    static int run(InputStream in, PrintStream out, PrintStream err, String... args) {
        PrintWriter o = new PrintWriter(new OutputStreamWriter(out, out.charset()), false);
        PrintWriter e = new PrintWriter(new OutputStreamWriter(err, err.charset()), true);
        CommandLine cl = commandLine(new Main(in, out == System.out && isTerminal()), o, e, List.of(args));
        try {
            return cl.execute(args);
        } catch (OutOfMemoryError oom) {
            // picocli hands only Exceptions to the execution handler; an Error comes out of execute.
            return outOfMemory(oom, o, e, List.of(args).contains("--verbose"));
        } finally {
            o.flush();
            e.flush();
        }
    }

    static CommandLine commandLine(Main main, PrintWriter out, PrintWriter err, List<String> args) {
        boolean verbose = args.contains("--verbose");
        CommandLine cl = new CommandLine(main);
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler(usageHandler(verbose));
        cl.setExecutionExceptionHandler(executionHandler(verbose));
        return cl;
    }

    /** Without a subcommand: a usage error that lists the commands. */
    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing command: use one of "
                + String.join(", ", spec.subcommands().keySet()));
    }

    private static boolean isTerminal() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try { // Java 22+: System.console() is not null when redirected; ask isTerminal() (absent in 21)
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;   // Java 21: a console exists only on a terminal
        }
    }

    private static IParameterExceptionHandler usageHandler(boolean verbose) {
        return (ex, args) -> {
            printUsageError(ex.getCommandLine(), ex.getMessage(), ex, verbose);
            return USAGE_ERROR;
        };
    }

    private static void printUsageError(CommandLine c, String message, Exception ex, boolean verbose) {
        c.getOut().flush();
        PrintWriter err = c.getErr();
        err.println("error: " + message);
        if (ex instanceof UnmatchedArgumentException u) {
            UnmatchedArgumentException.printSuggestions(u, err);   // "Did you mean: backlane train?"
        }
        err.println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for more information.");
        if (verbose) {
            ex.printStackTrace(err);
        }
        err.flush();
    }

    private static IExecutionExceptionHandler executionHandler(boolean verbose) {
        return (Exception ex, CommandLine c, ParseResult parsed) -> {
            if (ex instanceof UsageException) {
                printUsageError(c, ex.getMessage(), ex, verbose);
                return USAGE_ERROR;
            }
            c.getOut().flush();
            PrintWriter err = c.getErr();
            String message = describe(ex);
            if (message == null) {
                err.println("internal error: " + ex + (verbose ? "" : " (run with --verbose for the stack trace)"));
            } else {
                err.println("error: " + message);
            }
            if (verbose) {
                ex.printStackTrace(err);
            }
            err.flush();
            return DATA_ERROR;
        };
    }

    /**
     * Reports an OutOfMemoryError that the size checks did not foresee (data, a network or a model
     * larger than the heap) as one {@code error:} line with the remedy, and exits 1. By the time it is
     * caught, the objects of the failed command are unreachable, so printing has memory to work with.
     */
    static int outOfMemory(OutOfMemoryError oom, PrintWriter out, PrintWriter err, boolean verbose) {
        out.flush();
        long max = Runtime.getRuntime().maxMemory();
        err.println("error: out of memory (" + (oom.getMessage() != null ? oom.getMessage() : "no detail")
                + "): the data, network or model does not fit in the Java heap (at most " + (max >> 20)
                + " MiB here); run java with a larger -Xmx (for example -Xmx8g), or use a smaller network,"
                + " batch or dataset");
        if (verbose) {
            oom.printStackTrace(err);
        }
        err.flush();
        return DATA_ERROR;
    }

    /** The message for a user-facing failure, or the exception itself for an unexpected one. */
    static String describeOrToString(Throwable ex) {
        String message = describe(ex);
        return message != null ? message : ex.toString();
    }

    /**
     * A {@code Predictor}'s refusal (a non-finite feature, or an output that overflowed) as a
     * command-line or HTTP user reads it: without its hint about the Java API
     * ({@code Predictor.acceptNonFinite}), which they cannot call.
     */
    static String predictorRefusal(IllegalArgumentException e) {
        String message = String.valueOf(e.getMessage());
        int api = message.indexOf("Predictor.acceptNonFinite");
        int cut = api < 0 ? -1 : Math.max(message.lastIndexOf("; ", api), message.lastIndexOf(" (", api));
        return cut < 0 ? message : message.substring(0, cut);
    }

    /** The message for a user-facing failure, or null for an unexpected one (a bug). */
    static String describe(Throwable ex) {
        if (ex instanceof UncheckedIOException u && u.getCause() != null) {
            return describe(u.getCause());
        }
        if (ex instanceof NoSuchFileException f) {
            return "no such file: " + f.getFile() + (f.getReason() != null ? " (" + f.getReason() + ")" : "");
        }
        if (ex instanceof AccessDeniedException f) {
            return "permission denied: " + f.getFile();
        }
        if (ex instanceof FileSystemException f) {
            return f.getMessage();
        }
        if (ex instanceof DataFormatException || ex instanceof ModelFormatException
                || ex instanceof TrainingDivergedException) {
            return ex.getMessage();
        }
        if (ex instanceof IOException) {
            return ex.getMessage() != null ? ex.getMessage() : ex.toString();
        }
        if (ex instanceof IllegalArgumentException && ex.getMessage() != null) {
            return ex.getMessage();   // the library's argument checks: they say what is wrong
        }
        return null;
    }

    /** The version from the jar manifest, when there is one. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"backlane " + (v != null ? v : "(development build)")};
        }
    }
}
