package io.backlane.io;

/**
 * The {@code metadata_props} keys that {@link OnnxWriter} writes and {@link OnnxReader} reads
 * ({@code docs/onnx.md}): what a backlane model holds beyond its graph. Lists are JSON arrays of
 * strings, enum values their Java names.
 */
final class OnnxMetadata {
    private OnnxMetadata() {
    }

    /** Every key of ours starts with it; the model's own metadata must not. */
    static final String PREFIX = "backlane.";
    static final String MODEL_ID = "backlane.model_id";
    static final String FEATURE_NAMES = "backlane.feature_names";
    static final String CLASS_LABELS = "backlane.class_labels";
    static final String LOSS = "backlane.loss";
    static final String SCALER_KIND = "backlane.scaler_kind";
    static final String TARGET_SCALER_KIND = "backlane.target_scaler_kind";
}
