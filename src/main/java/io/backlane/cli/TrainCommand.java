package io.backlane.cli;

import io.backlane.data.DataSplit;
import io.backlane.data.Dataset;
import io.backlane.data.Preprocessing;
import io.backlane.data.ScaledSplit;
import io.backlane.io.ModelWriter;
import io.backlane.kernel.Kernels;
import io.backlane.nn.FeatureScaler;
import io.backlane.nn.Loss;
import io.backlane.nn.Model;
import io.backlane.nn.Network;
import io.backlane.nn.OutputHead;
import io.backlane.nn.Parameters;
import io.backlane.train.EpochStats;
import io.backlane.train.Examples;
import io.backlane.train.Optimizer;
import io.backlane.train.Trainer;
import io.backlane.train.TrainingResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/** {@code backlane train}: fits a network to a dataset, reports test metrics, optionally saves the model. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false, showDefaultValues = true,
        description = {"Trains a network on a dataset and reports metrics on a held-out test split.",
                "The output layer and loss follow from the task: 2 classes -> 1 sigmoid unit with binary"
                        + " cross-entropy; K > 2 classes -> K softmax units with categorical cross-entropy;"
                        + " regression -> 1 identity unit with mean squared error (override with --loss)."},
        footer = {"", "Examples:",
                "  backlane train --data breast-cancer",
                "  backlane train --data digits --layers 64:relu --epochs 30 --save digits.bkln --plot digits.svg",
                "  backlane train --data houses.csv --label price --task regression --optimizer sgd --lr 0.01"})
final class TrainCommand implements Callable<Integer> {
    /** The default hidden layers. */
    static final String DEFAULT_LAYERS = "16:relu";
    /** The largest --batch-size accepted: larger is a typo (or full batch, which this is plenty for). */
    static final int MAX_BATCH_SIZE = 1_000_000;

    enum OptimizerName { SGD, MOMENTUM, NESTEROV, ADAM, ADAMW }

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Option(names = "--data", required = true, paramLabel = "DATA",
            description = "A bundled dataset (breast-cancer, digits), fashion-mnist (the installed IDX files),"
                    + " a CSV file with a header row (see --no-header), or a directory of MNIST-layout IDX files"
                    + " (the classes are the distinct label values present).")
    String data;

    @Option(names = "--no-header", description = "The CSV file has no header row: every line is data, and the columns"
            + " are named c0, c1, ... (so --label c4, or an index). Without it, a first line that looks like data"
            + " (every feature column named by a number) is refused rather than silently taken as the header.")
    boolean noHeader;

    @Option(names = "--label", paramLabel = "COLUMN",
            description = "CSV label column: a header name, or a 0-based index (negative from the end)."
                    + " Default: the last column.")
    String label;

    @Option(names = "--task", paramLabel = "TASK", defaultValue = "auto", converter = TaskConverter.class,
            description = "auto, classification or regression. auto: regression when every label is a number"
                    + " and some is fractional or there are more than " + DataSource.MAX_AUTO_CLASSES
                    + " distinct values.")
    DataSource.Task task;

    @Option(names = "--layers", paramLabel = "SPEC", defaultValue = DEFAULT_LAYERS, converter = Specs.LayersConverter.class,
            description = "Hidden layers, WIDTH:ACTIVATION separated by commas (e.g. 32:relu,16:tanh), or none;"
                    + " every layer names its activation."
                    + " Activations: relu, leaky_relu[:SLOPE], tanh, sigmoid, identity.")
    Specs.Layers layers;

    @Option(names = "--loss", paramLabel = "LOSS", converter = Specs.LossConverter.class,
            description = "Override the task's loss: binary_cross_entropy (bce), categorical_cross_entropy (cce),"
                    + " mean_squared_error (mse).")
    Loss loss;

    @Option(names = "--optimizer", paramLabel = "NAME", defaultValue = "adam", converter = OptimizerConverter.class,
            description = "sgd, momentum, nesterov, adam or adamw.")
    OptimizerName optimizer;

    @Option(names = "--lr", paramLabel = "RATE",
            description = "Learning rate. Default: 0.003 for adam and adamw, 0.01 for momentum and nesterov, 0.1 for sgd.")
    Float lr;

    @Option(names = "--momentum", paramLabel = "MU",
            description = "Momentum of momentum and nesterov, in [0, 1). Default: 0.9.")
    Float momentum;

    @Option(names = "--weight-decay", paramLabel = "WD",
            description = "Decoupled weight decay of adamw. Default: 0.01.")
    Float weightDecay;

    @Option(names = "--schedule", paramLabel = "SPEC", defaultValue = "constant", converter = Specs.ScheduleConverter.class,
            description = "Learning-rate schedule: constant, step:EVERY:GAMMA (multiply by GAMMA every EVERY epochs)"
                    + " or cosine:MIN (cosine from 1 down to MIN times the rate).")
    Specs.Schedule schedule;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "50", description = "Passes over the training split.")
    int epochs;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "32",
            description = "Examples per step, at most " + MAX_BATCH_SIZE + " (a batch larger than the training split"
                    + " is full-batch descent).")
    int batchSize;

    @Option(names = "--l2", paramLabel = "LAMBDA", defaultValue = "0.5",
            description = "L2 regularization strength: J += (LAMBDA/2m) sum W^2 over a batch of m.")
    float l2;

    @Option(names = "--clip-norm", paramLabel = "MAX", defaultValue = "0",
            description = "Clip the gradient to this L2 norm; 0: off.")
    float clipNorm;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42",
            description = "Seed of the split, the initial weights and the shuffling.")
    long seed;

    @Option(names = "--validation-fraction", paramLabel = "F", defaultValue = "0.1",
            description = "Fraction of the data for validation (stratified for classes); 0: none.")
    double validationFraction;

    @Option(names = "--test-fraction", paramLabel = "F", defaultValue = "0.2",
            description = "Fraction held out for the final test metrics (stratified; IDX data uses its own test files).")
    double testFraction;

    @Option(names = "--patience", paramLabel = "N", defaultValue = "0",
            description = "Early stopping: stop after N epochs without improvement of the validation loss"
                    + " (training loss without validation) and keep the best weights; 0: off.")
    int patience;

    @Option(names = "--min-delta", paramLabel = "D", defaultValue = "0",
            description = "Early stopping: the smallest decrease of the loss that counts as an improvement.")
    double minDelta;

    @Option(names = "--scale", paramLabel = "KIND", defaultValue = "standardize", converter = ScaleConverter.class,
            description = "Feature scaling fitted on the training split and stored with the model:"
                    + " standardize, minmax or none.")
    FeatureScaler.Kind scale;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "1",
            description = "Threads that share each training step (batches of 256 rows or more; the result does not"
                    + " depend on it); more than the available processors only warns.")
    int threads;

    @Option(names = "--save", paramLabel = "FILE",
            description = "Save the trained model to FILE (atomically). FILE must be new or a regular file: a"
                    + " directory, device, FIFO or symbolic link is refused, and so is a directory that does not"
                    + " exist or cannot be written, all before training starts.")
    Path save;

    @Option(names = "--plot", paramLabel = "FILE.svg",
            description = "Write learning curves (loss and accuracy per epoch) as an SVG image; FILE is checked"
                    + " before training as for --save.")
    Path plot;

    @Option(names = "--fail-on-baseline",
            description = "Exit 1 (without saving the model) when the model is not better than the trivial baseline"
                    + " on the test split (or the validation split without one): the majority class's accuracy,"
                    + " or for regression the mean squared error of predicting the training mean (R^2 <= 0)."
                    + " Without it, that is a warning on standard error.")
    boolean failOnBaseline;

    @Option(names = "--log-every", paramLabel = "N", defaultValue = "1",
            description = "Print progress every N epochs (the first and last always).")
    int logEvery;

    @Override
    public Integer call() throws IOException {
        validate();
        PrintWriter out = main.spec.commandLine().getOut();
        PrintWriter err = main.spec.commandLine().getErr();
        if (threads > Runtime.getRuntime().availableProcessors()) {
            err.println("warning: --threads " + threads + " is more than the " + Runtime.getRuntime().availableProcessors()
                    + " available processors; the extra threads only take turns");
        }

        DataSource.TrainingData td = PathOptionException.on("--data", data,
                () -> DataSource.forTraining(data, label, noHeader, task));
        Dataset all = td.data();
        OutputHead head = UsageException.wrap(() -> outputHead(all));
        DataSplit split = UsageException.wrap(() -> td.presetTest() == null
                ? Preprocessing.split(all, validationFraction, testFraction, seed)
                : withTest(Preprocessing.split(all, validationFraction, 0, seed), td.presetTest()));
        ScaledSplit scaled = split.scaled(scale);
        Network net = UsageException.wrap(() -> layers.network(all.width(), head));
        Optimizer opt = UsageException.wrap(this::optimizer);
        // Before the parameters exist: a network too large for the heap is a message, not an OutOfMemoryError.
        int stepRows = Math.max(1, Math.min(batchSize, split.train().rows()));
        UsageException.wrap(() -> {
            Trainer.requireHeap(net, opt, stepRows, threads);
            return null;
        });
        Parameters params = Parameters.initialize(net, seed);

        // Regression trains on standardized targets: with targets near 2e5, an identity output that starts
        // near 0 and the default learning rate would need millions of steps to get there. The model keeps
        // the transform and predicts in the targets' units.
        FeatureScaler targetScaler = all.isRegression()
                ? FeatureScaler.fit(FeatureScaler.Kind.STANDARDIZE, split.train().targets(), split.train().rows(), 1)
                : FeatureScaler.identity(net.outputWidth());
        Examples train = Examples.of(withScaledTargets(scaled.split().train(), targetScaler), net);
        Examples validation = scaled.split().validation().rows() > 0
                ? Examples.of(withScaledTargets(scaled.split().validation(), targetScaler), net) : null;
        // The losses of standardized targets, shown in the targets' units (squared units: times the variance).
        double lossFactor = all.isRegression() ? 1.0 / ((double) targetScaler.scale()[0] * targetScaler.scale()[0]) : 1;

        Progress progress = new Progress(out, main.interactive, logEvery);
        Trainer.Builder builder = UsageException.wrap(() -> {
            Trainer.Builder b = Trainer.builder(params).optimizer(opt).batchSize(batchSize).epochs(epochs)
                    .l2(l2).clipNorm(clipNorm).schedule(schedule.schedule()).seed(seed)
                    .listener(stats -> progress.onEpoch(inTargetUnits(stats, lossFactor)))
                    .threads(threads);
            if (patience > 0) {
                b.earlyStopping(patience, minDelta);
            }
            return b;
        });

        out.println("data      " + describe(all, td.presetTest()));
        out.printf(Locale.ROOT, "split     %d train, %d validation, %d test (%s, seed %d)%n", split.train().rows(),
                split.validation().rows(), split.test().rows(),
                td.presetTest() != null ? "test from the IDX test files" : all.isClassification() ? "stratified" : "shuffled",
                seed);
        out.printf(Locale.ROOT, "network   %s, %d parameters%n", net, net.parameterCount());
        out.printf(Locale.ROOT, "training  %s, schedule %s, batch %d, %d epochs, l2 %s, %s, %s kernels, %d thread%s%n",
                opt, schedule, batchSize, epochs, l2, switch (scale) {
                    case STANDARDIZE -> "standardize scaling";
                    case MIN_MAX -> "minmax scaling";
                    case NONE -> "no scaling";
                }, Kernels.get().name(), threads,
                threads == 1 ? "" : "s");
        out.flush();

        TrainingResult result;
        try (Trainer trainer = builder.build()) {
            result = trainer.fit(train, validation);
        } finally {
            progress.finish();
        }
        double seconds = result.last().elapsedNanos() / 1e9;
        out.printf(Locale.ROOT, "trained   %d epochs in %s%s%n", result.history().size(), Progress.duration(seconds),
                result.stoppedEarly() || (patience > 0 && result.bestEpoch() != result.history().size())
                        ? "; early stopping kept the weights of epoch " + result.bestEpoch() : "");

        Model model = new Model(params, scaled.scaler(), all.classLabels())
                .withFeatureNames(all.featureNames())
                .withTargetScaler(targetScaler)
                .withMetadata(metadata());
        Metrics.Comparison baseline = null;
        if (split.test().rows() > 0) {
            double metric = ModelEvaluation.print(model, split.test(), out, "test");
            baseline = Metrics.Comparison.of(split.train(), split.test(), metric);
        } else {
            out.println(testFraction == 0 ? "test      no test split (--test-fraction 0): no test metrics"
                    : "test      no test split: no test metrics (--test-fraction " + testFraction + " of "
                    + all.rows() + " rows left none: too few rows, or classes too small to split)");
            if (split.validation().rows() > 0) {
                baseline = Metrics.Comparison.of(split.train(), split.validation(),
                        ModelEvaluation.metric(model, split.validation()));
            }
        }
        boolean failed = false;
        if (baseline != null && !baseline.better()) {
            out.flush();
            failed = failOnBaseline;
            err.println((failed ? "error: " : "warning: ") + baseline.message(split.test().rows() > 0 ? "test" : "validation")
                    + (failed ? "; the model is not saved" : "; --fail-on-baseline makes this an error"));
        }
        if (save != null && !failed) {
            PathOptionException.on("--save", save, () -> {
                ModelWriter.save(model, save);
                return null;
            });
            out.printf(Locale.ROOT, "saved     %s (%d bytes, id %s)%n", save, Files.size(save), model.id());
        }
        if (plot != null) {
            PathOptionException.on("--plot", plot, () -> Files.writeString(plot,
                    LearningCurves.svg(result.history().stream().map(e -> inTargetUnits(e, lossFactor)).toList(),
                            "backlane: " + data + ", " + net), StandardCharsets.UTF_8));
            out.println("plotted   " + plot);
        }
        return failed ? Main.DATA_ERROR : 0;
    }

    /** The same rows with their real-valued targets transformed by {@code targetScaler} (a copy). */
    private static Dataset withScaledTargets(Dataset d, FeatureScaler targetScaler) {
        if (!d.isRegression() || targetScaler.isIdentity()) {
            return d;
        }
        float[] t = d.targets();
        targetScaler.apply(t, 0, t.length);
        for (int i = 0; i < t.length; i++) {
            if (!Float.isFinite(t[i])) { // a finite target far from the rest: (3e38 − mean)·scale overflows
                String column = d.targetName() != null ? "target column \"" + d.targetName() + "\"" : "the target column";
                throw new IllegalArgumentException(d.source() + ", " + column + ": the value "
                        + d.targets()[i] + " becomes " + t[i] + " when standardized (mean " + targetScaler.shift()[0]
                        + ", scale " + targetScaler.scale()[0] + "): it is too far from the other targets to train on;"
                        + " remove it or rescale the column");
            }
        }
        return Dataset.regression(d.featureNames(), d.features(), t, d.targetName());
    }

    private static EpochStats inTargetUnits(EpochStats s, double lossFactor) {
        if (lossFactor == 1) {
            return s;
        }
        return new EpochStats(s.epoch(), s.epochs(), s.steps(), s.trainLoss() * lossFactor, s.trainAccuracy(),
                s.validationLoss() * lossFactor, s.validationAccuracy(), s.learningRate(), s.elapsedNanos(),
                s.samplesPerSecond());
    }

    /**
     * What the saved model records about its making (not part of its id): the backlane version (from
     * the jar manifest; "development" when run from classes), the UTC time, and the train arguments.
     */
    private Map<String, String> metadata() {
        String version = Main.class.getPackage().getImplementationVersion();
        Map<String, String> m = new LinkedHashMap<>();
        m.put("backlane_version", version != null ? version : "development");
        m.put("created", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        m.put("command", commandLine(spec.commandLine().getParseResult().originalArgs()));
        return m;
    }

    /** The arguments as a shell would take them back: an argument with spaces or quotes is single-quoted. */
    static String commandLine(List<String> args) {
        return args.stream()
                .map(a -> a.isEmpty() || !a.matches("[A-Za-z0-9_./:=,+@%-]+") ? "'" + a.replace("'", "'\\''") + "'" : a)
                .collect(Collectors.joining(" "));
    }

    private void validate() throws IOException {
        positive("--epochs", epochs);
        positive("--batch-size", batchSize);
        if (batchSize > MAX_BATCH_SIZE) {
            throw new UsageException("--batch-size must be at most " + MAX_BATCH_SIZE + ", got " + batchSize
                    + " (any batch larger than the training split already means full-batch descent)");
        }
        DataSource.checkLabelOption(label);
        positive("--threads", threads);
        positive("--log-every", logEvery);
        if (patience < 0) {
            throw new UsageException("--patience must be >= 0 (0: no early stopping), got " + patience);
        }
        if (lr != null && !(lr > 0 && Float.isFinite(lr))) {
            throw new UsageException("--lr must be a number > 0, got " + lr);
        }
        if (momentum != null && optimizer != OptimizerName.MOMENTUM && optimizer != OptimizerName.NESTEROV) {
            throw new UsageException("--momentum applies to --optimizer momentum or nesterov, not "
                    + Specs.name(optimizer));
        }
        if (weightDecay != null && optimizer != OptimizerName.ADAMW) {
            throw new UsageException("--weight-decay applies to --optimizer adamw (for the others use --l2), not "
                    + Specs.name(optimizer));
        }
        // Every check of the output files before the data is loaded and the network trained: a bad
        // target found after an hour of training loses that hour.
        if (save != null && save.equals(plot)) {
            throw new UsageException("--save and --plot name the same file " + save);
        }
        for (String option : new String[] {"--save", "--plot"}) {
            Path p = option.equals("--save") ? save : plot;
            if (p != null) {
                PathOptionException.on(option, p, () -> {
                    ModelWriter.checkTarget(p);
                    return null;
                });
            }
        }
    }

    private static void positive(String name, int value) {
        if (value < 1) {
            throw new UsageException(name + " must be >= 1, got " + value);
        }
    }

    private Optimizer optimizer() {
        float mu = momentum != null ? momentum : 0.9f;
        return switch (optimizer) {
            case SGD -> Optimizer.sgd(lr != null ? lr : 0.1f);
            case MOMENTUM -> Optimizer.momentum(lr != null ? lr : 0.01f, mu);
            case NESTEROV -> Optimizer.nesterov(lr != null ? lr : 0.01f, mu);
            case ADAM -> Optimizer.adam(lr != null ? lr : 0.003f);
            case ADAMW -> Optimizer.adamW(lr != null ? lr : 0.003f, weightDecay != null ? weightDecay : 0.01f);
        };
    }

    private static DataSplit withTest(DataSplit s, Dataset test) {
        return new DataSplit(s.train(), s.validation(), test);
    }

    /** The task's output layer and loss, with --loss when given. */
    private OutputHead outputHead(Dataset all) {
        if (all.isClassification()) {
            if (all.classCount() < 2) {
                throw new UsageException("classification needs at least 2 classes, the data has " + all.classCount()
                        + "; check the label column (--label)");
            }
            return OutputHead.forClasses(all.classCount(), loss);
        }
        if (loss != null && loss != Loss.MEAN_SQUARED_ERROR) {
            throw new UsageException("--loss " + Specs.name(loss) + " needs class labels, but the target is"
                    + " real-valued (regression); use --loss mean_squared_error, or --task classification");
        }
        return OutputHead.forRegression();
    }

    private String describe(Dataset all, Dataset presetTest) {
        int rows = all.rows() + (presetTest != null ? presetTest.rows() : 0);
        String s = data + ": " + rows + " examples, " + all.width() + " features, ";
        if (!all.isClassification()) {
            return s + "regression target \"" + all.targetName() + "\"";
        }
        int[] counts = all.classCounts();
        if (presetTest != null) {
            int[] more = presetTest.classCounts();
            for (int c = 0; c < counts.length; c++) {
                counts[c] += more[c];
            }
        }
        String classes = IntStream.range(0, counts.length)
                .mapToObj(c -> all.classLabels().get(c) + " " + counts[c])
                .collect(Collectors.joining(", "));
        return s + all.classCount() + " classes (" + (all.classCount() <= 12 ? classes : "...") + ")";
    }

    static final class OptimizerConverter implements ITypeConverter<OptimizerName> {
        @Override
        public OptimizerName convert(String value) {
            return Specs.parseEnum(OptimizerName.class, "optimizer", value);
        }
    }

    static final class TaskConverter implements ITypeConverter<DataSource.Task> {
        @Override
        public DataSource.Task convert(String value) {
            return Specs.parseEnum(DataSource.Task.class, "task", value);
        }
    }

    static final class ScaleConverter implements ITypeConverter<FeatureScaler.Kind> {
        @Override
        public FeatureScaler.Kind convert(String value) {
            String v = value.strip().toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
            return switch (v) {
                case "standardize", "standard", "zscore" -> FeatureScaler.Kind.STANDARDIZE;
                case "minmax" -> FeatureScaler.Kind.MIN_MAX;
                case "none" -> FeatureScaler.Kind.NONE;
                default -> throw new picocli.CommandLine.TypeConversionException("unknown scaling '" + value
                        + "'; valid: standardize, minmax, none");
            };
        }
    }
}
