package io.backlane.train;

import java.util.SplittableRandom;

/** Small synthetic problems generated from a seed. */
final class TestData {
    private TestData() {
    }

    /**
     * The "flower": 2-D points on a rose curve r = 4·sin(4θ), labelled by petal, with noise; a
     * linear model cannot separate it. Targets are 0/1 (one column).
     */
    static Examples flower(int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = new float[count * 2];
        float[] y = new float[count];
        int perClass = count / 2;
        for (int i = 0; i < count; i++) {
            int label = i < perClass ? 0 : 1;
            int j = i % perClass;
            double t = label * 3.12 + j * 3.12 / perClass + random.nextGaussian() * 0.1;
            double r = 4 * Math.sin(4 * t) + random.nextGaussian() * 0.1;
            x[2 * i] = (float) (r * Math.sin(t));
            x[2 * i + 1] = (float) (r * Math.cos(t));
            y[i] = label;
        }
        return new Examples(x, y, count);
    }

    /** XOR of two bits, as the four corners repeated. */
    static Examples xor(int repeats) {
        int count = 4 * repeats;
        float[] x = new float[count * 2];
        float[] y = new float[count];
        for (int i = 0; i < count; i++) {
            int a = i & 1;
            int b = (i >> 1) & 1;
            x[2 * i] = a;
            x[2 * i + 1] = b;
            y[i] = a ^ b;
        }
        return new Examples(x, y, count);
    }

    /** Random inputs in [−1, 1) and targets fitting the loss: one-hot, 0/1, or real. */
    static Examples random(int count, int inputs, int outputs, io.backlane.nn.Loss loss, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = new float[count * inputs];
        float[] y = new float[count * outputs];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (2 * random.nextDouble() - 1);
        }
        for (int i = 0; i < count; i++) {
            switch (loss) {
                case CATEGORICAL_CROSS_ENTROPY -> y[i * outputs + random.nextInt(outputs)] = 1f;
                case BINARY_CROSS_ENTROPY -> {
                    for (int j = 0; j < outputs; j++) {
                        y[i * outputs + j] = random.nextInt(2);
                    }
                }
                case MEAN_SQUARED_ERROR -> {
                    for (int j = 0; j < outputs; j++) {
                        y[i * outputs + j] = (float) random.nextGaussian();
                    }
                }
            }
        }
        return new Examples(x, y, count);
    }
}
