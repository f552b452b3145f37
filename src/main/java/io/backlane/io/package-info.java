/**
 * The model file format (docs/model-format.md): {@link io.backlane.io.ModelWriter} saves a
 * {@link io.backlane.nn.Model} atomically, {@link io.backlane.io.ModelReader} validates the header,
 * sizes and checksum before it trusts anything. ONNX in and out (docs/onnx.md):
 * {@link io.backlane.io.OnnxWriter} exports a model, {@link io.backlane.io.OnnxReader} imports a chain
 * of dense layers, with the package's own bounded protobuf codec. Depends on {@code nn}.
 */
package io.backlane.io;
