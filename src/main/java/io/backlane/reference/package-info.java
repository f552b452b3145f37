/**
 * The readable double-precision engine that proves the fast one: forward propagation, the cost and
 * backpropagation as plain loops beside their equations, and the finite-difference
 * {@link io.backlane.reference.GradientCheck}. Shares no code with the engine it checks: it depends
 * on the network description in {@code nn} only, never on {@code kernel}.
 */
package io.backlane.reference;
