package io.backlane.infer;

import io.backlane.kernel.GemmWorkspace;
import io.backlane.kernel.Kernels;
import io.backlane.nn.Forward;
import io.backlane.nn.Network;

/**
 * Predicts with a {@link Model}: applies the model's feature transform to raw inputs, runs the
 * forward pass, and returns the output activations (class probabilities for classifiers).
 *
 * <p>A predictor owns a small workspace and belongs to one thread; make one per serving thread
 * (they are cheap). Many predictors share one immutable model. Once a predictor has served a model
 * of a given shape, {@link #predict} allocates nothing.
 *
 * <pre>{@code
 * Predictor predictor = Predictor.of(model);
 * float[] probabilities = new float[model.network().outputWidth()];
 * predictor.predict(features, probabilities);
 * int label = predictor.predictClass(features);
 * }</pre>
 */
public final class Predictor {
    private final ServingModel source;
    private final int maxBatch;
    private final Kernels k = Kernels.get();
    private final GemmWorkspace gemm = new GemmWorkspace();

    private Network shape;   // the network the buffers below are sized for
    private float[] x;       // (maxBatch, n[0]) transformed inputs
    private float[][] a;     // a[l]: (maxBatch, n[l]) activations, l = 1..L
    private float[] zOut;    // (maxBatch, n[L]) output logits
    private float[] classScratch = new float[0]; // (n[L]) outputs for predictClass

    Predictor(ServingModel source, int maxBatch) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be >= 1, got " + maxBatch);
        }
        this.source = source;
        this.maxBatch = maxBatch;
    }

    /** A predictor for a fixed model. */
    public static Predictor of(Model model) {
        return new ServingModel(model).newPredictor();
    }

    /** The model this predictor uses now. */
    public Model model() {
        return source.current();
    }

    private void size(Network net) {
        if (net.equals(shape)) {
            return;
        }
        if ((long) maxBatch * net.maxWidth() > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("a predictor for batches of " + maxBatch + " does not fit the widest layer ("
                    + net.maxWidth() + ") in one array; use a smaller batch");
        }
        int layers = net.layerCount();
        x = new float[maxBatch * net.inputWidth()];
        a = new float[layers + 1][];
        for (int l = 1; l <= layers; l++) {
            a[l] = new float[maxBatch * net.width(l)];
        }
        zOut = new float[maxBatch * net.outputWidth()];
        shape = net;
    }

    /**
     * Writes the outputs for one example: {@code input} holds n[0] raw features (before the model's
     * transform), {@code output} receives n[L] values.
     */
    public void predict(float[] input, float[] output) {
        Model model = source.current();
        requireOneExample(model, input);
        int nOut = model.network().outputWidth();
        if (output == null || output.length != nOut) {
            throw new IllegalArgumentException("output must have room for the model's " + nOut + " outputs, got "
                    + (output == null ? "null" : "length " + output.length));
        }
        predict(model, input, 0, output, 0, 1);
    }

    /**
     * Predicts {@code rows} examples: raw inputs row-major from {@code inOff}, outputs row-major
     * from {@code outOff}. Processed in chunks of this predictor's batch size.
     */
    public void predict(float[] input, int inOff, float[] output, int outOff, int rows) {
        predict(source.current(), input, inOff, output, outOff, rows); // one read: the call uses one model
    }

    private void predict(Model model, float[] input, int inOff, float[] output, int outOff, int rows) {
        Network net = model.network();
        int nIn = net.inputWidth();
        int nOut = net.outputWidth();
        if (input == null || output == null) {
            throw new IllegalArgumentException("input and output must not be null");
        }
        if (rows < 0 || inOff < 0 || outOff < 0) {
            throw new IllegalArgumentException("rows and offsets must be >= 0");
        }
        if ((long) inOff + (long) rows * nIn > input.length) {
            throw new IllegalArgumentException("input needs " + rows + " rows of " + nIn + " features from offset "
                    + inOff + " but has length " + input.length);
        }
        if ((long) outOff + (long) rows * nOut > output.length) {
            throw new IllegalArgumentException("output needs " + rows + " rows of " + nOut + " values from offset "
                    + outOff + " but has length " + output.length);
        }
        size(net);
        float[] theta = model.parameters().values();
        for (int from = 0; from < rows; from += maxBatch) {
            int m = Math.min(maxBatch, rows - from);
            for (int i = 0; i < m; i++) {
                model.scaler().apply(input, inOff + (from + i) * nIn, x, i * nIn);
            }
            Forward.run(k, net, theta, x, 0, m, a, zOut, gemm);
            System.arraycopy(a[net.layerCount()], 0, output, outOff + from * nOut, m * nOut);
        }
    }

    private static void requireOneExample(Model model, float[] input) {
        int nIn = model.network().inputWidth();
        if (input == null || input.length != nIn) {
            throw new IllegalArgumentException("input must hold the model's " + nIn + " features, got "
                    + (input == null ? "null" : input.length + " values"));
        }
    }

    /**
     * The predicted class index of one example: the argmax for several outputs, or output ≥ 0.5
     * for a single sigmoid output. Allocates nothing once sized.
     */
    public int predictClass(float[] input) {
        Model model = source.current();
        requireOneExample(model, input);
        int nOut = model.network().outputWidth();
        if (classScratch.length < nOut) {
            classScratch = new float[nOut];
        }
        predict(model, input, 0, classScratch, 0, 1);
        return classOf(classScratch, 0, nOut);
    }

    /** The class index that outputs {@code out[off .. off + n)} predict. */
    public static int classOf(float[] out, int off, int n) {
        if (n == 1) {
            return out[off] >= 0.5f ? 1 : 0;
        }
        int best = 0;
        for (int j = 1; j < n; j++) {
            if (out[off + j] > out[off + best]) {
                best = j;
            }
        }
        return best;
    }
}
