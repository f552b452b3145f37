package io.backlane.spark;

import io.backlane.io.ModelFormatException;
import io.backlane.io.ModelReader;
import io.backlane.io.ModelWriter;
import io.backlane.train.EpochStats;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsReader$;
import org.apache.spark.ml.util.DefaultParamsWriter$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;

/**
 * What {@link BacklaneClassificationModel} and {@link BacklaneRegressionModel} share: a trained
 * backlane model (kept as the bytes of its {@code .bkln} file, so that Spark may serialize this
 * stage), scoring by {@link Scorer}, and persistence: {@code save(path)} writes Spark's params
 * metadata and {@code path/model.bkln}, which the library ({@code ModelReader.load}) and the command
 * line ({@code backlane predict --model}) read as they read any model file.
 *
 * @param <M> the concrete model type
 */
public abstract class BacklaneModel<M extends BacklaneModel<M>> extends Model<M> implements MLWritable {
    private static final long serialVersionUID = 1L;
    /** The file inside a saved model's directory. */
    public static final String MODEL_FILE = "model.bkln";

    private final String uid;
    private final byte[] modelBytes;
    private transient io.backlane.nn.Model model;
    private transient List<EpochStats> history;
    private transient Broadcast<byte[]> broadcast;   // made on the first transform, reused after ...
    private transient org.apache.spark.SparkContext broadcastContext;   // ... in the same context

    // Made in the constructor, after uid: a Param takes its parent's uid when it is made.
    private final Param<String> featuresCol;
    private final Param<String> predictionCol;
    private final Param<String> handleInvalid;

    BacklaneModel(String uid, io.backlane.nn.Model model) {
        this.uid = uid;
        this.model = model;
        this.modelBytes = ModelWriter.toBytes(model);
        featuresCol = ColumnParams.featuresCol(this);
        predictionCol = ColumnParams.predictionCol(this);
        handleInvalid = ColumnParams.handleInvalid(this);
        setDefault(featuresCol, "features");
        setDefault(predictionCol, "prediction");
        setDefault(handleInvalid, ColumnParams.ERROR);
    }

    @Override
    public String uid() {
        return uid;
    }

    /** The backlane model: predicts with {@code Predictor.of(model())} on one machine, saves with {@code ModelWriter}. */
    public io.backlane.nn.Model model() {
        io.backlane.nn.Model m = model;
        if (m == null) {
            try {
                m = ModelReader.read(modelBytes, "model of " + uid);
            } catch (ModelFormatException e) {
                throw new IllegalStateException("the model bytes of " + uid + " do not read back", e);
            }
            model = m;
        }
        return m;
    }

    /**
     * The statistics of each training epoch (train loss; validation loss and accuracy when there was
     * a validation fraction), for a model that {@code fit} returned; empty for a loaded model.
     */
    public List<EpochStats> history() {
        return history == null ? List.of() : history;
    }

    void history(List<EpochStats> epochs) {
        this.history = List.copyOf(epochs);
    }

    public Param<String> featuresCol() {
        return featuresCol;
    }

    public Param<String> predictionCol() {
        return predictionCol;
    }

    public Param<String> handleInvalid() {
        return handleInvalid;
    }

    @SuppressWarnings("unchecked")
    private M self() {
        return (M) this;
    }

    public M setFeaturesCol(String value) {
        set(featuresCol, value);
        return self();
    }

    public M setPredictionCol(String value) {
        set(predictionCol, value);
        return self();
    }

    public M setHandleInvalid(String value) {
        set(handleInvalid, value);
        return self();
    }

    /**
     * The output columns this model adds, in order: rawPrediction, probability (vectors) and
     * prediction (double), each null when this model does not add it (an empty name, or a regression
     * model's vectors).
     */
    abstract String[] outputColumns();

    private List<StructField> outputFields() {
        String[] names = outputColumns();
        List<StructField> fields = new ArrayList<>();
        for (int i = 0; i < names.length; i++) {
            if (names[i] != null) {
                DataType type = i < 2 ? org.apache.spark.ml.linalg.SQLDataTypes.VectorType() : DataTypes.DoubleType;
                fields.add(DataTypes.createStructField(names[i], type, false));
            }
        }
        return fields;
    }

    /** A new model of this type, with this uid, around {@code model}; params not yet copied. */
    abstract M newInstance(io.backlane.nn.Model model);

    /** A non-empty output column name, or null when the column is not wanted. */
    static String wanted(String name) {
        return name == null || name.isEmpty() ? null : name;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        FeatureColumn.checkType(schema, getOrDefault(featuresCol));
        List<StructField> fields = new ArrayList<>(Arrays.asList(schema.fields()));
        for (StructField added : outputFields()) {
            if (Arrays.asList(schema.fieldNames()).contains(added.name())) {
                throw new IllegalArgumentException("output column '" + added.name() + "' already exists; set another"
                        + " name, or an empty one to leave it out");
            }
            fields.add(added);
        }
        return new StructType(fields.toArray(new StructField[0]));
    }

    /**
     * Adds the prediction columns. The model is broadcast once (on the first call); each partition
     * reads it and runs its forward pass row after row in the same buffers ({@link Scorer}).
     *
     * @throws IllegalArgumentException (when the rows are read, inside a Spark exception) for a row
     *                                  whose features are null, NaN, infinite or of another count than
     *                                  the model's inputs, or overflow the float range inside the
     *                                  network (NaN or infinite logits or outputs), unless
     *                                  handleInvalid is "skip"
     */
    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType out = transformSchema(dataset.schema());
        String features = getOrDefault(featuresCol);
        int width = model().network().inputWidth();
        FeatureColumn column = FeatureColumn.of(dataset.schema(), features, width, "the model's inputs");
        Scorer scorer = new Scorer(broadcast(dataset.sparkSession()), column, dataset.schema().fieldIndex(features),
                outputColumns(), ColumnParams.SKIP.equals(getOrDefault(handleInvalid)));
        return dataset.toDF().mapPartitions(scorer, Encoders.row(out));
    }

    private synchronized Broadcast<byte[]> broadcast(SparkSession spark) {
        if (broadcast == null || !spark.sparkContext().equals(broadcastContext)) {
            broadcast = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(modelBytes);
            broadcastContext = spark.sparkContext();
        }
        return broadcast;
    }

    @Override
    public M copy(org.apache.spark.ml.param.ParamMap extra) {
        M copy = newInstance(model());
        copyValues(copy, extra);
        copy.history(history());
        return copy.setParent(parent());
    }

    @Override
    public MLWriter write() {
        return new Writer(this);
    }

    /** Saves the params metadata as Spark's own stages do, and the model as {@value #MODEL_FILE}. */
    private static final class Writer extends MLWriter {
        private final BacklaneModel<?> instance;

        Writer(BacklaneModel<?> instance) {
            this.instance = instance;
        }

        @Override
        public void saveImpl(String path) {
            DefaultParamsWriter$.MODULE$.saveMetadata(instance, path, sparkSession());
            Path file = new Path(path, MODEL_FILE);
            try {
                FileSystem fs = file.getFileSystem(sparkSession().sparkContext().hadoopConfiguration());
                try (FSDataOutputStream out = fs.create(file, false)) {
                    out.write(instance.modelBytes);   // the model's file bytes, encoded once when it was made
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + file, e);
            }
        }
    }

    /**
     * The reader of a saved model: checks that the metadata names {@code type}, reads
     * {@value #MODEL_FILE} (its checksum and format checked by {@code ModelReader}) and sets the
     * saved params.
     */
    static <T extends BacklaneModel<T>> MLReader<T> reader(Class<T> type, BiFunction<String, io.backlane.nn.Model, T> make) {
        return new MLReader<>() {
            @Override
            public T load(String path) {
                DefaultParamsReader.Metadata metadata = DefaultParamsReader$.MODULE$.loadMetadata(path, sparkSession(),
                        type.getName());
                Path file = new Path(path, MODEL_FILE);
                io.backlane.nn.Model model;
                try {
                    FileSystem fs = file.getFileSystem(sparkSession().sparkContext().hadoopConfiguration());
                    try (FSDataInputStream in = fs.open(file)) {
                        model = ModelReader.read(in, file.toString());
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read " + file, e);
                }
                T instance = make.apply(metadata.uid(), model);
                metadata.getAndSetParams(instance, metadata.getAndSetParams$default$2());
                return instance;
            }
        };
    }
}
