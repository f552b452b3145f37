/**
 * Prediction: a {@link io.backlane.infer.Predictor} per serving thread, allocation-free once warm,
 * over an immutable {@link io.backlane.nn.Model} that a {@link io.backlane.infer.ServingModel} can
 * swap while it serves. Depends on {@code nn} and {@code kernel}.
 */
package io.backlane.infer;
