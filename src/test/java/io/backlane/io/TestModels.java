package io.backlane.io;

import io.backlane.nn.Activation;
import io.backlane.nn.FeatureScaler;
import io.backlane.nn.Loss;
import io.backlane.nn.Model;
import io.backlane.nn.Network;
import io.backlane.nn.Parameters;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.IntStream;
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

    /** A 3-4-2 classifier (tanh, softmax, CCE), min-max scaler, labels "a" and "b": 226 bytes in version 1. */
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

    /** Offset of the header CRC of a model file of either version (from its version field). */
    static int headerCrcOffset(byte[] b) {
        return u32(b, 8) == 1 ? 28 : 44;
    }

    /**
     * Start offset of section s, from the header (version 1 and 2: 0 architecture, 1 scaler,
     * 2 parameters, 3 labels; version 2 only: 4 feature names, 5 target scaler, 6 metadata, 7 model id).
     */
    static int sectionStart(byte[] b, int s) {
        int at = headerCrcOffset(b) + 4;
        for (int i = 0; i < s; i++) {
            at += (int) u32(b, 12 + 4 * i);
        }
        return at;
    }

    /** Recomputes both CRC32Cs, so that a crafted change passes the checksums and reaches the value checks. */
    static byte[] reseal(byte[] b) {
        int h = headerCrcOffset(b);
        putU32(b, h, crc(b, 0, h));
        putU32(b, b.length - 4, crc(b, 0, b.length - 4));
        return b;
    }

    static long crc(byte[] b, int from, int to) {
        CRC32C c = new CRC32C();
        c.update(b, from, to - from);
        return c.getValue();
    }

    /**
     * The version-1 file of {@code model}, as the version-1 writer wrote it (the library now writes
     * version 2 only): so that the version-1 reading path keeps its corruption tests. Checked
     * against the committed golden-v1.bkln. Stores only what version 1 has: feature names, target
     * scaler and metadata are dropped.
     */
    static byte[] v1Bytes(Model model) {
        Network net = model.network();
        FeatureScaler scaler = model.scaler();
        float[] values = model.parameters().values();
        List<byte[]> labels = model.classLabels().stream().map(l -> l.getBytes(StandardCharsets.UTF_8)).toList();
        int layers = net.layerCount();
        int labelBytes = 4;
        for (byte[] l : labels) {
            labelBytes += 4 + l.length;
        }
        int[] sections = {12 + 12 * layers, 8 + 8 * scaler.width(), 4 + 4 * values.length, labelBytes};
        ByteBuffer buf = ByteBuffer.allocate(32 + IntStream.of(sections).sum() + 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.put(ModelFormat.magic()).putInt(1);
        for (int s : sections) {
            buf.putInt(s);
        }
        buf.putInt((int) crc(buf.array(), 0, 28));
        buf.putInt(net.inputWidth()).putInt(layers);
        for (int l = 1; l <= layers; l++) {
            buf.putInt(net.width(l)).putInt(ModelFormat.activationCode(net.activation(l)))
                    .putInt(Float.floatToRawIntBits(net.layer(l).slope()));
        }
        buf.putInt(ModelFormat.lossCode(net.loss()));
        buf.putInt(ModelFormat.scalerCode(scaler.kind())).putInt(scaler.width());
        for (float[] floats : new float[][] {scaler.shift(), scaler.scale(), null, values}) {
            if (floats == null) {
                buf.putInt(values.length);
                continue;
            }
            for (float v : floats) {
                buf.putInt(Float.floatToRawIntBits(v));
            }
        }
        buf.putInt(labels.size());
        for (byte[] l : labels) {
            buf.putInt(l.length).put(l);
        }
        buf.putInt((int) crc(buf.array(), 0, buf.position()));
        return buf.array();
    }

    /**
     * Reads {@code bytes} as the model file {@code name} and returns the ModelFormatException it must
     * throw, whose message must start with the name; anything else fails the test.
     */
    static ModelFormatException readFails(byte[] bytes, String name, String context) {
        try {
            Model m = ModelReader.read(bytes, name);
            throw new AssertionError(context + ": read succeeded and returned " + m);
        } catch (ModelFormatException e) {
            if (!e.getMessage().startsWith(name + ": ")) {
                throw new AssertionError(context + ": message must name the source: " + e.getMessage(), e);
            }
            return e;
        } catch (AssertionError e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(context + ": expected a ModelFormatException, got " + t, t);
        }
    }

    /** {@link #readFails}, and the exception must be exactly of {@code type}. */
    static <T extends ModelFormatException> T readFailsWith(Class<T> type, byte[] bytes, String name, String context) {
        ModelFormatException e = readFails(bytes, name, context);
        if (e.getClass() != type) {
            throw new AssertionError(context + ": expected " + type.getSimpleName() + ", got " + e, e);
        }
        return type.cast(e);
    }
}
