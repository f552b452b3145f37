package io.backlane.io;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes one protobuf message in the wire format, field by field, for the ONNX encoder. Every call
 * writes its field, default values included: the caller decides what to leave out. A message that
 * would outgrow {@value #MAX_BYTES} bytes (the largest array a JVM reliably allocates, and
 * {@link ModelFormat#MAX_FILE_BYTES}) is an {@link IllegalArgumentException}.
 */
final class ProtoWriter {
    static final int MAX_BYTES = ModelFormat.MAX_FILE_BYTES;

    private byte[] buf = new byte[64];
    private int size;

    /** An int64, int32 or enum field (varint; a negative value takes 10 bytes, as protobuf requires). */
    ProtoWriter int64(int field, long value) {
        key(field, ProtoReader.VARINT);
        varint(value);
        return this;
    }

    ProtoWriter float32(int field, float value) {
        key(field, ProtoReader.FIXED32);
        fixed32(Float.floatToRawIntBits(value));
        return this;
    }

    ProtoWriter string(int field, String value) {
        return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    ProtoWriter bytes(int field, byte[] value) {
        key(field, ProtoReader.LENGTH_DELIMITED);
        varint(value.length);
        append(value, value.length);
        return this;
    }

    ProtoWriter message(int field, ProtoWriter nested) {
        key(field, ProtoReader.LENGTH_DELIMITED);
        varint(nested.size);
        append(nested.buf, nested.size);
        return this;
    }

    /** A repeated float field, packed. */
    ProtoWriter packedFloats(int field, float[] values) {
        key(field, ProtoReader.LENGTH_DELIMITED);
        varint(4L * values.length);
        for (float v : values) {
            fixed32(Float.floatToRawIntBits(v));
        }
        return this;
    }

    /** A repeated int64 field, packed. */
    ProtoWriter packedInt64s(int field, long[] values) {
        ProtoWriter packed = new ProtoWriter();
        for (long v : values) {
            packed.varint(v);
        }
        return message(field, packed);
    }

    byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }

    private void key(int field, int wireType) {
        varint((long) field << 3 | wireType);
    }

    private void varint(long value) {
        while ((value & ~0x7FL) != 0) {
            put((byte) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        put((byte) value);
    }

    private void fixed32(int bits) {
        for (int i = 0; i < 4; i++) {
            put((byte) (bits >>> (8 * i)));
        }
    }

    private void put(byte b) {
        if (size == buf.length) {
            buf = Arrays.copyOf(buf, capacity(buf.length, size + 1L));
        }
        buf[size++] = b;
    }

    private void append(byte[] bytes, int length) {
        if (size + (long) length > buf.length) {
            buf = Arrays.copyOf(buf, capacity(buf.length, size + (long) length));
        }
        System.arraycopy(bytes, 0, buf, size, length);
        size += length;
    }

    /**
     * The capacity to grow to from {@code current} to hold {@code needed} bytes: doubling, in long
     * arithmetic so that it cannot wrap past 1 GiB, and at most {@link #MAX_BYTES}.
     *
     * @throws IllegalArgumentException if {@code needed} exceeds {@link #MAX_BYTES}
     */
    static int capacity(int current, long needed) {
        if (needed > MAX_BYTES) {
            throw new IllegalArgumentException("the ONNX message would be more than " + MAX_BYTES
                    + " bytes, more than a protobuf message (and a Java array) can hold");
        }
        return (int) Math.min(MAX_BYTES, Math.max(needed, 2L * current));
    }
}
