package io.backlane.nn;

import io.backlane.kernel.Activation;
import io.backlane.kernel.GemmWorkspace;
import io.backlane.kernel.Kernels;

/**
 * The forward pass, shared by training and prediction: for l = 1..L,
 * Z[l] = A[l-1]·W[l]ᵀ + b[l] (the notes' Z = W A + b with examples as rows), A[l] = g(Z[l]).
 *
 * <p>Hidden layers compute Z[l] into the A[l] buffer and activate it in place: every derivative we
 * use is a function of A (sigmoid a(1−a), tanh 1−a², ReLU a &gt; 0), so Z[l] need not be kept.
 * The output layer keeps its logits Z[L] apart from A[L], because the losses are computed from
 * the logits (errata, item 6).
 *
 * <p>Unchecked: callers size the buffers (see {@code Workspace} and {@code Predictor}).
 */
public final class Forward {
    private Forward() {
    }

    /**
     * Runs the forward pass for m examples.
     *
     * @param x     the input batch, m × n[0] row-major, from {@code xOff}
     * @param a     a[l] for l = 1..L: buffers of at least m × n[l] ({@code a[0]} is ignored)
     * @param zOut  at least m × n[L]: receives the output logits Z[L]
     * @param ws    GEMM packing buffers
     */
    public static void run(Kernels k, Network net, float[] params, float[] x, int xOff, int m,
                           float[][] a, float[] zOut, GemmWorkspace ws) {
        int layers = net.layerCount();
        float[] in = x;
        int inOff = xOff;
        for (int l = 1; l <= layers; l++) {
            int nIn = net.width(l - 1);
            int nOut = net.width(l);
            float[] z = l == layers ? zOut : a[l];
            // Z[l] (m × n[l]) = A[l-1] (m × n[l-1]) · W[l]ᵀ (n[l-1] × n[l])
            k.sgemm(false, true, m, nOut, nIn, 1f, in, inOff, nIn, params, net.weightOffset(l), nIn,
                    0f, z, 0, nOut, ws);
            k.addBiasRows(m, nOut, params, net.biasOffset(l), z, 0);
            Layer layer = net.layer(l);
            if (layer.activation() == Activation.SOFTMAX) {
                k.softmaxRows(m, nOut, z, 0, a[l], 0);
            } else {
                k.activate(layer.activation(), layer.slope(), m * nOut, z, 0, a[l], 0);
            }
            in = a[l];
            inOff = 0;
        }
    }
}
