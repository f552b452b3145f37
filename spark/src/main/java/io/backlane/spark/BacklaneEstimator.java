package io.backlane.spark;

import io.backlane.nn.FeatureScaler;
import io.backlane.nn.Layer;
import io.backlane.nn.Network;
import io.backlane.nn.OutputHead;
import io.backlane.nn.Parameters;
import io.backlane.train.TrainingResult;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructType;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@link BacklaneClassifier} and {@link BacklaneRegressor} share: the params and the fit.
 *
 * <p>{@code fit} reads the features and label columns once into cached per-partition blocks
 * (checking every row), fits the feature scaler over all of them, builds the network
 * ({@code layers}, then the output head the task needs), initializes its parameters from
 * {@code seed} ({@code Parameters.initialize(network, seed)}) and trains in one of two modes
 * ({@code trainingMode}):
 * <ul>
 *   <li>{@code "averaging"} (default): local SGD. Each partition takes {@code localSteps} mini-batch
 *       steps of {@code batchSize} rows from the broadcast parameters and optimizer state, then the
 *       driver averages them. An epoch is about one pass over the data.</li>
 *   <li>{@code "exact"}: synchronous full-batch gradient descent. Each of the {@code epochs}
 *       iterations sums every partition's gradient and makes one optimizer update on the driver:
 *       single-machine full-batch training, distributed. {@code batchSize} and {@code localSteps}
 *       do not apply.</li>
 * </ul>
 *
 * @param <E> the concrete estimator type (setters return it)
 * @param <M> the model type it makes
 */
public abstract class BacklaneEstimator<E extends BacklaneEstimator<E, M>, M extends BacklaneModel<M>> extends Estimator<M>
        implements DefaultParamsWritable {
    private static final long serialVersionUID = 1L;
    /** {@link #trainingMode}'s values. */
    public static final String AVERAGING = "averaging";
    public static final String EXACT = "exact";

    private final String uid;
    // Made in the constructor, after uid: a Param takes its parent's uid when it is made.
    private final Param<String> featuresCol;
    private final Param<String> labelCol;
    private final Param<String> predictionCol;
    private final Param<String> handleInvalid;
    private final Param<String> layers;
    private final Param<String> optimizer;
    private final DoubleParam learningRate;
    private final IntParam epochs;
    private final IntParam batchSize;
    private final DoubleParam l2;
    private final LongParam seed;
    private final DoubleParam validationFraction;
    private final Param<String> scaling;
    private final Param<String> trainingMode;
    private final IntParam localSteps;

    BacklaneEstimator(String uid) {
        this.uid = uid;
        featuresCol = ColumnParams.featuresCol(this);
        labelCol = new Param<>(this, "labelCol", "label column: numeric; for classification the class index 0, 1, ...");
        predictionCol = ColumnParams.predictionCol(this);
        handleInvalid = ColumnParams.handleInvalid(this);
        layers = new Param<>(this, "layers", "hidden layers, comma-separated WIDTH:ACTIVATION (relu, leaky_relu[:SLOPE],"
                + " tanh, sigmoid, identity), or none; the output layer follows from the task");
        optimizer = new Param<>(this, "optimizer", "optimizer: " + String.join(", ", TrainingConfig.OPTIMIZERS)
                + " (momentum and nesterov with mu " + TrainingConfig.MOMENTUM + ", adamw with weight decay "
                + TrainingConfig.WEIGHT_DECAY + ")", ParamValidators.inArray(TrainingConfig.OPTIMIZERS.toArray(new String[0])));
        learningRate = new DoubleParam(this, "learningRate", "the optimizer's learning rate (> 0)", ParamValidators.gt(0));
        epochs = new IntParam(this, "epochs", "passes over the data (exact mode: full-batch iterations), >= 1",
                ParamValidators.gtEq(1));
        batchSize = new IntParam(this, "batchSize", "rows per local step (averaging mode), >= 1", ParamValidators.gtEq(1));
        l2 = new DoubleParam(this, "l2", "L2 regularization strength lambda (>= 0): J += (lambda/2m) sum W^2",
                ParamValidators.gtEq(0));
        seed = new LongParam(this, "seed", "seed of the initial parameters, the validation rows and the shuffles");
        validationFraction = new DoubleParam(this, "validationFraction", "fraction of rows held out for validation,"
                + " evaluated after each epoch (see the model's history), in [0, 1)", ParamValidators.inRange(0, 1, true, false));
        scaling = new Param<>(this, "scaling", "feature scaling fitted on the training rows and saved with the model:"
                + " standardize, min_max or none", ParamValidators.inArray(new String[] {"standardize", "min_max", "none"}));
        trainingMode = new Param<>(this, "trainingMode", "averaging (local SGD with periodic averaging) or exact"
                + " (synchronous full-batch gradient descent)", ParamValidators.inArray(new String[] {AVERAGING, EXACT}));
        localSteps = new IntParam(this, "localSteps", "local steps per partition between two averagings (averaging"
                + " mode), >= 1", ParamValidators.gtEq(1));
        setDefault(featuresCol, "features");
        setDefault(labelCol, "label");
        setDefault(predictionCol, "prediction");
        setDefault(handleInvalid, ColumnParams.ERROR);
        setDefault(layers, "32:relu");
        setDefault(optimizer, "adam");
        setDefault(learningRate, 0.003);
        setDefault(epochs, 10);
        setDefault(batchSize, 32);
        setDefault(l2, 0.0);
        setDefault(seed, 42L);
        setDefault(validationFraction, 0.0);
        setDefault(scaling, "standardize");
        setDefault(trainingMode, AVERAGING);
        setDefault(localSteps, 8);
    }

    @Override
    public String uid() {
        return uid;
    }

    public Param<String> featuresCol() {
        return featuresCol;
    }

    public Param<String> labelCol() {
        return labelCol;
    }

    public Param<String> predictionCol() {
        return predictionCol;
    }

    public Param<String> handleInvalid() {
        return handleInvalid;
    }

    public Param<String> layers() {
        return layers;
    }

    public Param<String> optimizer() {
        return optimizer;
    }

    public DoubleParam learningRate() {
        return learningRate;
    }

    public IntParam epochs() {
        return epochs;
    }

    public IntParam batchSize() {
        return batchSize;
    }

    public DoubleParam l2() {
        return l2;
    }

    public LongParam seed() {
        return seed;
    }

    public DoubleParam validationFraction() {
        return validationFraction;
    }

    public Param<String> scaling() {
        return scaling;
    }

    public Param<String> trainingMode() {
        return trainingMode;
    }

    public IntParam localSteps() {
        return localSteps;
    }

    @SuppressWarnings("unchecked")
    E self() {
        return (E) this;
    }

    public E setFeaturesCol(String value) {
        set(featuresCol, value);
        return self();
    }

    public E setLabelCol(String value) {
        set(labelCol, value);
        return self();
    }

    public E setPredictionCol(String value) {
        set(predictionCol, value);
        return self();
    }

    public E setHandleInvalid(String value) {
        set(handleInvalid, value);
        return self();
    }

    /**
     * Hidden layers, for example {@code "64:relu,32:tanh"} ({@code Layer.parseHidden}).
     *
     * @throws IllegalArgumentException naming the bad layer
     */
    public E setLayers(String value) {
        Layer.parseHidden(value);
        set(layers, value);
        return self();
    }

    public E setOptimizer(String value) {
        set(optimizer, value);
        return self();
    }

    public E setLearningRate(double value) {
        set(learningRate, value);
        return self();
    }

    public E setEpochs(int value) {
        set(epochs, value);
        return self();
    }

    public E setBatchSize(int value) {
        set(batchSize, value);
        return self();
    }

    public E setL2(double value) {
        set(l2, value);
        return self();
    }

    public E setSeed(long value) {
        set(seed, value);
        return self();
    }

    public E setValidationFraction(double value) {
        set(validationFraction, value);
        return self();
    }

    public E setScaling(String value) {
        set(scaling, value);
        return self();
    }

    public E setTrainingMode(String value) {
        set(trainingMode, value);
        return self();
    }

    public E setLocalSteps(int value) {
        set(localSteps, value);
        return self();
    }

    /** Whether labels are class indices. */
    abstract boolean classification();

    /** The output head for the prepared data. */
    abstract OutputHead head(TrainingData data);

    /** The model of the trained backlane model; params copied by {@link #fit}. */
    abstract M newModel(io.backlane.nn.Model model);

    /**
     * Checks the features column (a vector or an array of numbers), a numeric label column when the
     * schema has one (a model's schema need not), and that the output columns are new; returns the
     * schema with them.
     */
    @Override
    public StructType transformSchema(StructType schema) {
        FeatureColumn.checkType(schema, getOrDefault(featuresCol));
        String label = getOrDefault(labelCol);
        if (List.of(schema.fieldNames()).contains(label) && !(schema.apply(label).dataType() instanceof NumericType)) {
            throw new IllegalArgumentException("label column '" + label + "' has type "
                    + schema.apply(label).dataType().simpleString() + "; it must be numeric");
        }
        // the model's own check (the output columns must not exist), with this estimator's column names
        M model = newModel(placeholder());
        copyValues(model, ParamMap.empty());
        return model.transformSchema(schema);
    }

    /** A tiny model of the right kind, for {@link #transformSchema} before there is a trained one. */
    private io.backlane.nn.Model placeholder() {
        Network net = Network.builder(1).output(classification() ? OutputHead.forClasses(2) : OutputHead.forRegression()).build();
        return new io.backlane.nn.Model(new Parameters(net), FeatureScaler.identity(1),
                classification() ? List.of("0", "1") : List.of());
    }

    @Override
    public M fit(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        List<Layer> hidden = Layer.parseHidden(getOrDefault(layers));
        TrainingConfig config = new TrainingConfig(getOrDefault(optimizer), (float) (double) getOrDefault(learningRate),
                (Integer) getOrDefault(epochs), (Integer) getOrDefault(batchSize), (float) (double) getOrDefault(l2),
                (Long) getOrDefault(seed), (Integer) getOrDefault(localSteps));
        config.buildOptimizer();   // a learning rate the optimizer refuses fails here, before any Spark job
        FeatureScaler.Kind kind = FeatureScaler.Kind.valueOf(getOrDefault(scaling).toUpperCase(Locale.ROOT));
        try (TrainingData data = TrainingData.prepare(dataset, getOrDefault(featuresCol), getOrDefault(labelCol),
                classification(), kind, ColumnParams.SKIP.equals(getOrDefault(handleInvalid)),
                (Double) getOrDefault(validationFraction), config.seed())) {
            Network.Builder b = Network.builder(data.width);
            hidden.forEach(b::dense);
            Network net = b.output(head(data)).build();
            Parameters params = Parameters.initialize(net, config.seed());
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext());
            TrainingResult result = EXACT.equals(getOrDefault(trainingMode)) ? DistributedTrainer.exact(sc, data, params, config)
                    : DistributedTrainer.averaging(sc, data, params, config);
            io.backlane.nn.Model model = new io.backlane.nn.Model(params, data.scaler, data.classLabels)
                    .withFeatureNames(data.featureNames).withMetadata(metadata(config, data));
            if (!classification()) {
                model = model.withTargetScaler(data.targetScaler);
            }
            M m = newModel(model);
            copyValues(m, ParamMap.empty());
            m.history(result.history());
            return m.setParent(this);
        }
    }

    /** What the model file records of its making, as the command line records its arguments. */
    private Map<String, String> metadata(TrainingConfig config, TrainingData data) {
        Map<String, String> m = new LinkedHashMap<>();
        String version = BacklaneEstimator.class.getPackage().getImplementationVersion();
        m.put("trained_by", "backlane-spark " + (version != null ? version : "(development build)"));
        m.put("created_utc", java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
        m.put("spark_params", extractParamMap().toString().replaceAll("\\s+", " ").strip());
        m.put("training_rows", String.valueOf(data.rows));
        return m;
    }

    @Override
    public E copy(ParamMap extra) {
        return defaultCopy(extra);
    }
}
