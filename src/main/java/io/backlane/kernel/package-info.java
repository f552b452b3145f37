/**
 * The numerical kernels: a BLAS-shaped {@code sgemm} (a Goto/BLIS loop nest around one register-tile
 * micro-kernel, with one tuning table per micro-kernel) and the element-wise passes of forward and
 * backward propagation, on {@code float[]} with explicit offsets. The only package that touches
 * {@code jdk.incubator.vector}; {@link io.backlane.kernel.KernelProvider} chooses the Vector API
 * kernels or the scalar fallback once per JVM and logs one line. Knows nothing of networks.
 */
package io.backlane.kernel;
