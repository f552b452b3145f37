/**
 * Training by backpropagation: the {@link io.backlane.train.Trainer} (epochs, minibatches, early
 * stopping, schedules), its step engine with the guard against NaN and overflow, data-parallel
 * shares on threads of its own, and the optimizers, which are immutable specifications. Training
 * allocates nothing in steady state. Depends on {@code nn}, {@code kernel} and {@code data}.
 */
package io.backlane.train;
