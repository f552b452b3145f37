package io.backlane.train;

import io.backlane.nn.Network;

/**
 * How parameters are updated from a gradient: an immutable specification (the rule and its
 * hyperparameters). It may be given to any number of trainers; each trainer allocates and owns the
 * state the rule needs (velocity, Adam's moments and step count) in the parameter layout, so an
 * update is one loop over one array and allocates nothing.
 *
 * <pre>{@code
 * Optimizer adam = Optimizer.adam(1e-3f);
 * Trainer a = Trainer.builder(paramsA).optimizer(adam).build();   // each trainer: its own moments
 * Trainer b = Trainer.builder(paramsB).optimizer(adam).build();
 * }</pre>
 */
public abstract sealed class Optimizer {
    final float learningRate;

    private Optimizer(float learningRate) {
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

    /** Whether the update is θ ← θ − α·g, which the trainer may fuse into the backward pass. */
    boolean isPlainGradientDescent() {
        return false;
    }

    /** Fresh state for one training run on {@code network}'s parameters. */
    abstract Update start(Network network);

    /** How many arrays of P floats {@link #start} allocates: for {@link Trainer#memoryEstimate}. */
    abstract int stateArrays();

    /**
     * The mutable half of an optimizer: its state for one training run, owned by one trainer.
     * {@link #apply} returns whether every value it wrote is finite; it checks as it writes, with
     * {@link #nonFiniteSign}, so that the guard costs no extra pass over the parameters.
     *
     * <p>The state is {@link #arrays} (each of P floats, in the parameter layout) and the count of
     * updates made, so that {@link Trainer#optimizerState} can copy it out and back in (data-parallel
     * training averages it across workers).
     */
    abstract static class Update {
        private final float[][] arrays;
        /** Updates applied so far, this one included while {@link #apply} runs (Adam's t). */
        long updates;

        Update(float[]... arrays) {
            this.arrays = arrays;
        }

        /** One update: counts it, then θ ← update(θ, g) with learning rate {@code lr}. */
        final boolean update(float[] theta, float[] g, float lr) {
            updates++;
            return apply(theta, g, lr);
        }

        /** θ ← update(θ, g) with learning rate {@code lr} (the base rate times the schedule). */
        abstract boolean apply(float[] theta, float[] g, float lr);

        /** The state arrays themselves (not copies), {@link #stateArrays} of them. */
        final float[][] arrays() {
            return arrays;
        }
    }

    /**
     * Negative exactly when v is an infinity or NaN (its exponent bits are all ones, and adding one
     * exponent step carries into the sign bit). Integer operations only, so that a loop that ORs
     * these together still vectorizes (a floating-point sum would not: its order is fixed).
     */
    static int nonFiniteSign(float v) {
        return (Float.floatToRawIntBits(v) & 0x7f800000) + 0x00800000;
    }

    private static float checkUnit(String name, float value) {
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
        boolean isPlainGradientDescent() {
            return true;
        }

        @Override
        int stateArrays() {
            return 0;
        }

        @Override
        Update start(Network network) {
            return new Update() {
                @Override
                boolean apply(float[] theta, float[] g, float lr) {
                    int exponents = 0;
                    for (int i = 0; i < theta.length; i++) {
                        float ti = theta[i] - lr * g[i];
                        theta[i] = ti;
                        exponents |= nonFiniteSign(ti);
                    }
                    return exponents >= 0;
                }
            };
        }

        @Override
        public String toString() {
            return "sgd(lr=" + learningRate + ")";
        }
    }

    private static final class Momentum extends Optimizer {
        private final float mu;
        private final boolean nesterov;

        Momentum(float learningRate, float mu, boolean nesterov) {
            super(learningRate);
            this.mu = checkUnit("momentum", mu);
            this.nesterov = nesterov;
        }

        @Override
        int stateArrays() {
            return 1;   // the velocity
        }

        @Override
        Update start(Network network) {
            float[] v = new float[network.parameterCount()]; // (P) velocity
            float mu = this.mu;
            return nesterov ? new Update(v) {
                @Override
                boolean apply(float[] theta, float[] g, float lr) {
                    int exponents = 0;
                    for (int i = 0; i < theta.length; i++) {
                        float vi = mu * v[i] + g[i];
                        v[i] = vi;
                        float ti = theta[i] - lr * (g[i] + mu * vi);
                        theta[i] = ti;
                        exponents |= nonFiniteSign(ti);
                    }
                    return exponents >= 0;
                }
            } : new Update(v) {
                @Override
                boolean apply(float[] theta, float[] g, float lr) {
                    int exponents = 0;
                    for (int i = 0; i < theta.length; i++) {
                        float vi = mu * v[i] + g[i];
                        v[i] = vi;
                        float ti = theta[i] - lr * vi;
                        theta[i] = ti;
                        exponents |= nonFiniteSign(ti);
                    }
                    return exponents >= 0;
                }
            };
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
        int stateArrays() {
            return 2;   // the first and second moments
        }

        @Override
        Update start(Network network) {
            return new AdamUpdate(this, network);
        }

        @Override
        public String toString() {
            return (weightDecay > 0f ? "adamw" : "adam") + "(lr=" + learningRate + ", beta1=" + beta1 + ", beta2=" + beta2
                    + (weightDecay > 0f ? ", weight_decay=" + weightDecay : "") + ")";
        }
    }

    private static final class AdamUpdate extends Update {
        private final Adam spec;
        private final Network network;
        private final float[] m; // (P) first moment
        private final float[] v; // (P) second moment

        AdamUpdate(Adam spec, Network network) {
            this(spec, network, new float[network.parameterCount()], new float[network.parameterCount()]);
        }

        private AdamUpdate(Adam spec, Network network, float[] m, float[] v) {
            super(m, v);
            this.spec = spec;
            this.network = network;
            this.m = m;
            this.v = v;
        }

        @Override
        boolean apply(float[] theta, float[] g, float lr) {
            long t = updates;     // this update's number: its bias correction uses β^t
            if (spec.weightDecay > 0f) { // decoupled decay, weights only, before the Adam step (as PyTorch)
                float keep = 1f - lr * spec.weightDecay;
                for (int l = 1; l <= network.layerCount(); l++) {
                    int off = network.weightOffset(l);
                    for (int i = off, end = off + network.weightCount(l); i < end; i++) {
                        theta[i] *= keep;
                    }
                }
            }
            float c1 = (float) (1.0 / (1.0 - Math.pow(spec.beta1, t)));
            float c2 = (float) (1.0 / (1.0 - Math.pow(spec.beta2, t)));
            float b1 = spec.beta1, b2 = spec.beta2, eps = spec.epsilon;
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
    }
}
