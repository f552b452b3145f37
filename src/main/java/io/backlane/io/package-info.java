/**
 * The model file format (docs/model-format.md): {@link io.backlane.io.ModelWriter} saves a
 * {@link io.backlane.nn.Model} atomically, {@link io.backlane.io.ModelReader} validates the header,
 * sizes and checksum before it trusts anything. Depends on {@code nn}.
 */
package io.backlane.io;
