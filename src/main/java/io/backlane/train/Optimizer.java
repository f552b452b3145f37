package io.backlane.train;

import io.backlane.nn.Network;

/**
 * Updates parameters in place from a gradient, one loop over the one parameter array. State
 * (velocity, Adam's moments) is allocated once by {@link #init} in the parameter layout, so a step
 * allocates nothing. One optimizer instance belongs to one training run.
 *
 * <pre>{@code
 * Optimizer opt = Optimizer.adam(1e-3f);
 * Optimizer sgd = Optimizer.sgd(0.1f);
 * Optimizer nesterov = Optimizer.nesterov(0.05f, 0.9f);
 * }</pre>
 */
public abstract class Optimizer {
    final float learningRate;
    /** Update count, starting at 1 for the first update (Adam's bias correction needs it). */
    long t;

    Optimizer(float learningRate) {
        if (!(learningRate > 0f) || !Float.isFinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be a finite number > 0, got " + learningRate);
        }
        this.learningRate = learningRate;
    }

    /** Plain gradient descent: θ ← θ − α·g. */
    public static Optimizer sgd(float learningRate) {
        return new Sgd(learningRate);
    }

    /** Heavy-ball momentum: v ← μv + g; θ ← θ − α·v. */
    public static Optimizer momentum(float learningRate, float mu) {
        return new Momentum(learningRate, mu, false);
    }

    /** Nesterov momentum: v ← μv + g; θ ← θ − α·(g + μv). */
    public static Optimizer nesterov(float learningRate, float mu) {
        return new Momentum(learningRate, mu, true);
    }

    /** Adam with β1 = 0.9, β2 = 0.999, ε = 1e−8. */
    public static Optimizer adam(float learningRate) {
        return adam(learningRate, 0.9f, 0.999f, 1e-8f);
    }

    /** Adam (Kingma and Ba): bias-corrected first and second moments. */
    public static Optimizer adam(float learningRate, float beta1, float beta2, float epsilon) {
        return new Adam(learningRate, beta1, beta2, epsilon, 0f);
    }

    /**
     * AdamW (Loshchilov and Hutter): Adam plus decoupled weight decay θ ← θ − α·wd·θ on weights
     * (never biases).
     */
    public static Optimizer adamW(float learningRate, float weightDecay) {
        return new Adam(learningRate, 0.9f, 0.999f, 1e-8f, weightDecay);
    }

    /** The base learning rate α, before any schedule. */
    public float learningRate() {
        return learningRate;
    }

    /** A short description for logs, for example {@code adam(lr=0.001)}. */
    @Override
    public abstract String toString();

    /** The trainer this optimizer's state belongs to. */
    private Object owner;

    /** Allocates state for {@code network}'s parameters and resets the update count. */
    void init(Network network, Object owner) {
        if (this.owner != null && this.owner != owner) {
            throw new IllegalStateException(this + " is already used by another trainer; its state (step count,"
                    + " moments) belongs to one training run: create one optimizer per trainer");
        }
        this.owner = owner;
        t = 0;
    }

    /** Whether the update is θ ← θ − α·g, which the trainer may fuse into the backward pass. */
    boolean isPlainGradientDescent() {
        return false;
    }

    /**
     * θ ← update(θ, g) with learning rate {@code lr} (the base rate times the schedule). Returns
     * whether every value written is finite: the loop checks as it writes, with
     * {@link #nonFiniteSign}, so that the guard costs no extra pass over the parameters.
     */
    abstract boolean update(Network network, float[] theta, float[] g, float lr);

    /**
     * Negative exactly when v is an infinity or NaN (its exponent bits are all ones, and adding one
     * exponent step carries into the sign bit). Integer operations only, so that a loop that ORs
     * these together still vectorizes (a floating-point sum would not: its order is fixed).
     */
    static int nonFiniteSign(float v) {
        return (Float.floatToRawIntBits(v) & 0x7f800000) + 0x00800000;
    }

    static float checkUnit(String name, float value) {
        if (!(value >= 0f && value < 1f)) {
            throw new IllegalArgumentException(name + " must be in [0, 1), got " + value);
        }
        return value;
    }

    private static final class Sgd extends Optimizer {
        Sgd(float learningRate) {
            super(learningRate);
        }

        @Override
        boolean update(Network network, float[] theta, float[] g, float lr) {
            t++;
            int exponents = 0;
            for (int i = 0; i < theta.length; i++) {
                float ti = theta[i] - lr * g[i];
                theta[i] = ti;
                exponents |= nonFiniteSign(ti);
            }
            return exponents >= 0;
        }

        @Override
        boolean isPlainGradientDescent() {
            return true;
        }

        @Override
        public String toString() {
            return "sgd(lr=" + learningRate + ")";
        }
    }

    private static final class Momentum extends Optimizer {
        private final float mu;
        private final boolean nesterov;
        private float[] v = new float[0]; // (P) velocity

        Momentum(float learningRate, float mu, boolean nesterov) {
            super(learningRate);
            this.mu = checkUnit("momentum", mu);
            this.nesterov = nesterov;
        }

        @Override
        void init(Network network, Object owner) {
            super.init(network, owner);
            v = new float[network.parameterCount()];
        }

        @Override
        boolean update(Network network, float[] theta, float[] g, float lr) {
            t++;
            float[] v = this.v;
            int exponents = 0;
            if (nesterov) {
                for (int i = 0; i < theta.length; i++) {
                    float vi = mu * v[i] + g[i];
                    v[i] = vi;
                    float ti = theta[i] - lr * (g[i] + mu * vi);
                    theta[i] = ti;
                    exponents |= nonFiniteSign(ti);
                }
            } else {
                for (int i = 0; i < theta.length; i++) {
                    float vi = mu * v[i] + g[i];
                    v[i] = vi;
                    float ti = theta[i] - lr * vi;
                    theta[i] = ti;
                    exponents |= nonFiniteSign(ti);
                }
            }
            return exponents >= 0;
        }

        @Override
        public String toString() {
            return (nesterov ? "nesterov" : "momentum") + "(lr=" + learningRate + ", mu=" + mu + ")";
        }
    }

    private static final class Adam extends Optimizer {
        private final float beta1;
        private final float beta2;
        private final float epsilon;
        private final float weightDecay;
        private float[] m = new float[0]; // (P) first moment
        private float[] v = new float[0]; // (P) second moment

        Adam(float learningRate, float beta1, float beta2, float epsilon, float weightDecay) {
            super(learningRate);
            this.beta1 = checkUnit("beta1", beta1);
            this.beta2 = checkUnit("beta2", beta2);
            if (!(epsilon > 0f) || !Float.isFinite(epsilon)) {
                throw new IllegalArgumentException("epsilon must be a finite number > 0, got " + epsilon);
            }
            if (!(weightDecay >= 0f) || !Float.isFinite(weightDecay)) {
                throw new IllegalArgumentException("weight decay must be a finite number >= 0, got " + weightDecay);
            }
            this.epsilon = epsilon;
            this.weightDecay = weightDecay;
        }

        @Override
        void init(Network network, Object owner) {
            super.init(network, owner);
            m = new float[network.parameterCount()];
            v = new float[network.parameterCount()];
        }

        @Override
        boolean update(Network network, float[] theta, float[] g, float lr) {
            t++;
            if (weightDecay > 0f) { // decoupled decay, weights only, before the Adam step (as PyTorch)
                float keep = 1f - lr * weightDecay;
                for (int l = 1; l <= network.layerCount(); l++) {
                    int off = network.weightOffset(l);
                    for (int i = off, end = off + network.weightCount(l); i < end; i++) {
                        theta[i] *= keep;
                    }
                }
            }
            float c1 = (float) (1.0 / (1.0 - Math.pow(beta1, t)));
            float c2 = (float) (1.0 / (1.0 - Math.pow(beta2, t)));
            float b1 = beta1, b2 = beta2, eps = epsilon;
            float[] m = this.m, v = this.v;
            int exponents = 0;
            for (int i = 0; i < theta.length; i++) {
                float gi = g[i];
                float mi = b1 * m[i] + (1f - b1) * gi;
                float vi = b2 * v[i] + (1f - b2) * gi * gi;
                m[i] = mi;
                v[i] = vi;
                float ti = theta[i] - lr * (mi * c1) / ((float) Math.sqrt(vi * c2) + eps);
                theta[i] = ti;
                exponents |= nonFiniteSign(ti);
            }
            return exponents >= 0;
        }

        @Override
        public String toString() {
            return (weightDecay > 0f ? "adamw" : "adam") + "(lr=" + learningRate + ", beta1=" + beta1 + ", beta2=" + beta2
                    + (weightDecay > 0f ? ", weight_decay=" + weightDecay : "") + ")";
        }
    }
}
