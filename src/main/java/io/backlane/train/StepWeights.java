package io.backlane.train;

import io.backlane.kernel.Kernels;
import io.backlane.kernel.PackedWeights;
import io.backlane.nn.Network;

/**
 * The weights W[l] of the parameters being trained, packed for the forward products of one step
 * ({@link Kernels#repackWeights}, in place after the first step): a batch's forward products then
 * pack only its activations, and every share of the batch reads the same packed weights.
 *
 * <p>Packing W costs about as much as reading it a few times, so it pays from
 * {@value #MIN_ROWS} rows on (measured on the 784-256-128-10 network, paired A/B on Zen 4: +7% samples
 * a second at batch 128, +3% at 64, −4% at 32 against unpacked dot products). A W that
 * {@link PackedWeights#isTiled() is kept as it is} (few outputs, whose dot products run in whole
 * vectors) is left to the GEMM's own choice, and so is every W of the scalar kernels: their sgemm
 * copies W a block at a time into the same rows that their prepacked layout holds, so packing all
 * of W first gains only where several shares read it (paired A/B on Zen 4 without the Vector API:
 * +5% at batch 1024, −8% at batch 128).
 */
final class StepWeights {
    /** Rows from which a step packs its weights first. */
    static final int MIN_ROWS = 64;

    private final Network net;
    private final Kernels k;
    private final PackedWeights[] layers; // [l - 1] W[l] packed by the last pack(), or null where not tiled
    private boolean allocated;

    StepWeights(Network net, Kernels k) {
        this.net = net;
        this.k = k;
        this.layers = new PackedWeights[net.layerCount()];
    }

    /** Packs every tiled W[l] of {@code theta} as it is now; returns the layers for {@code Forward.runRows}. */
    PackedWeights[] pack(float[] theta) {
        if (!allocated) { // the first step allocates, the next ones repack in place
            for (int l = 1; l <= layers.length; l++) {
                int n = net.width(l), inputs = net.width(l - 1);
                layers[l - 1] = k.isVectorized() && k.tilesWeights(n, inputs)
                        ? k.packWeights(n, inputs, theta, net.weightOffset(l)) : null;
            }
            allocated = true;
        } else {
            for (int l = 1; l <= layers.length; l++) {
                if (layers[l - 1] != null) {
                    k.repackWeights(layers[l - 1], theta, net.weightOffset(l));
                }
            }
        }
        return layers;
    }
}
