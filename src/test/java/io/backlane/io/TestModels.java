package io.backlane.io;

import io.backlane.nn.Activation;
import io.backlane.nn.FeatureScaler;
import io.backlane.nn.Loss;
import io.backlane.nn.Model;
import io.backlane.nn.Network;
import io.backlane.nn.Parameters;

import java.util.List;
import java.util.zip.CRC32C;

/** Deterministic models and byte-level helpers shared by the model-file tests. */
final class TestModels {
    private TestModels() {
    }

    /** (float) (sin(i) · 0.5): StrictMath so that every JVM computes the same floats. */
    static float[] sinValues(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (StrictMath.sin(i) * 0.5);
        }
        return v;
    }

    static Model withSinParameters(Network net, FeatureScaler scaler, List<String> labels) {
        return new Model(new Parameters(net, sinValues(net.parameterCount())), scaler, labels);
    }

    /** A 3-4-2 classifier (tanh, softmax, CCE), min-max scaler, labels "a" and "b": 226 bytes on disk. */
    static Model small() {
        Network net = Network.builder(3).dense(4, Activation.TANH).dense(2, Activation.SOFTMAX)
                .loss(Loss.CATEGORICAL_CROSS_ENTROPY).build();
        FeatureScaler scaler = new FeatureScaler(FeatureScaler.Kind.MIN_MAX,
                new float[]{0.5f, -1f, 2f}, new float[]{0.25f, 1.5f, 3f});
        return withSinParameters(net, scaler, List.of("a", "b"));
    }

    static long u32(byte[] b, int at) {
        return (b[at] & 0xFFL) | (b[at + 1] & 0xFFL) << 8 | (b[at + 2] & 0xFFL) << 16 | (b[at + 3] & 0xFFL) << 24;
    }

    static void putU32(byte[] b, int at, long v) {
        for (int i = 0; i < 4; i++) {
            b[at + i] = (byte) (v >>> (8 * i));
        }
    }

    /** Start offset of section s (0 architecture, 1 scaler, 2 parameters, 3 labels), from the header. */
    static int sectionStart(byte[] b, int s) {
        int at = 32;
        for (int i = 0; i < s; i++) {
            at += (int) u32(b, 12 + 4 * i);
        }
        return at;
    }

    /** Recomputes both CRC32Cs, so that a crafted change passes the checksums and reaches the value checks. */
    static byte[] reseal(byte[] b) {
        putU32(b, 28, crc(b, 0, 28));
        putU32(b, b.length - 4, crc(b, 0, b.length - 4));
        return b;
    }

    static long crc(byte[] b, int from, int to) {
        CRC32C c = new CRC32C();
        c.update(b, from, to - from);
        return c.getValue();
    }
}
