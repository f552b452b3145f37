/**
 * What a network is: its description ({@link io.backlane.nn.Network}, layers, activations, the
 * output head and loss), its {@link io.backlane.nn.Parameters} in one float array, the forward pass
 * shared by training and prediction, and the trained {@link io.backlane.nn.Model} with its
 * {@link io.backlane.nn.FeatureScaler}. Depends on {@code kernel} only; the math is in
 * docs/backpropagation.md.
 */
package io.backlane.nn;
