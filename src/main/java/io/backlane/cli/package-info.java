/**
 * The {@code backlane} command line (picocli, an optional dependency): train, evaluate, predict,
 * gradcheck and graph, built on the library's public API only.
 */
package io.backlane.cli;
