/**
 * Datasets in memory and their loaders (CSV, IDX, the bundled sets), with seeded, stratified splits
 * and scalers fitted on the training part. Every bad cell or byte is reported with its file, line and
 * column (or offset). Depends on {@code nn} for the {@link io.backlane.nn.FeatureScaler} that a
 * model keeps.
 */
package io.backlane.data;
