package io.backlane.io;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A bounded reader of one protobuf message (the wire format only: no schema, no reflection), for
 * the ONNX decoder. It sees the bytes [start, end) of a shared buffer; a nested message is a new
 * reader over a sub-range, so no bytes are copied and nothing is allocated by what a length field
 * claims: every length and count is checked against the bytes left in the enclosing message first.
 *
 * <p>Every failure is an {@link OnnxFormatException} naming the source, the field path (for example
 * {@code graph.node[2].attribute[0]}) and the byte offset. Each call advances by at least one byte,
 * so no input can make it loop forever.
 */
final class ProtoReader {
    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;
    static final int FIXED32 = 5;

    private final byte[] buf;
    private final String source;
    private final String path;
    private final int end;
    private int pos;
    private int fieldStart;     // offset of the current field's tag, for messages
    private int wireType = -1;
    private int fieldNumber;

    ProtoReader(byte[] buf, String source) {
        this(buf, 0, buf.length, source, "model");
    }

    private ProtoReader(byte[] buf, int start, int end, String source, String path) {
        this.buf = buf;
        this.pos = start;
        this.end = end;
        this.source = source;
        this.path = path;
    }

    /** The message's field path, for error messages. */
    String path() {
        return path;
    }

    /** Offset of the current field's tag (or of the message's start before the first field). */
    int fieldOffset() {
        return fieldStart;
    }

    /** Reads the next field's key; false at the end of the message. */
    boolean next() throws OnnxFormatException {
        if (pos >= end) {
            return false;
        }
        fieldStart = pos;
        long key = varint("a field key");
        if (key >>> 32 != 0) {
            throw error(fieldStart, "a field key of " + key + " is out of range");
        }
        wireType = (int) (key & 7);
        fieldNumber = (int) (key >>> 3);
        if (fieldNumber == 0) {
            throw error(fieldStart, "field number 0 is never valid");
        }
        if (wireType != VARINT && wireType != FIXED64 && wireType != LENGTH_DELIMITED && wireType != FIXED32) {
            throw error(fieldStart, "field " + fieldNumber + " has wire type " + wireType
                    + (wireType == 3 || wireType == 4 ? " (a protobuf group, which ONNX never uses)" : " (invalid)"));
        }
        return true;
    }

    int field() {
        return fieldNumber;
    }

    int wireType() {
        return wireType;
    }

    /** Skips the current field's value, whatever its wire type. */
    void skip() throws OnnxFormatException {
        switch (wireType) {
            case VARINT -> varint(fieldName());
            case FIXED64 -> take(8, fieldName());
            case FIXED32 -> take(4, fieldName());
            default -> take(length(fieldName()), fieldName());
        }
    }

    /** The current field as a varint (int64, int32, enum); refuses another wire type. */
    long int64(String name) throws OnnxFormatException {
        expect(VARINT, name);
        return varint(name);
    }

    /** The current field as a 32-bit float (wire type fixed32). */
    float float32(String name) throws OnnxFormatException {
        expect(FIXED32, name);
        return Float.intBitsToFloat(fixed32(take(4, name)));
    }

    /** The current field as UTF-8 text; malformed UTF-8 is refused, as proto3 requires of strings. */
    String string(String name) throws OnnxFormatException {
        expect(LENGTH_DELIMITED, name);
        int length = length(name);
        int at = take(length, name);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(buf, at, length)).toString();
        } catch (CharacterCodingException e) {
            throw error(at, name + " is not valid UTF-8");
        }
    }

    /** The current field's bytes, copied. */
    byte[] bytes(String name) throws OnnxFormatException {
        expect(LENGTH_DELIMITED, name);
        int length = length(name);
        int at = take(length, name);
        return Arrays.copyOfRange(buf, at, at + length);
    }

    /** The current field as a nested message, read by the returned reader; {@code name} extends the path. */
    ProtoReader message(String name) throws OnnxFormatException {
        expect(LENGTH_DELIMITED, name);
        int length = length(name);
        int at = take(length, name);
        ProtoReader nested = new ProtoReader(buf, at, at + length, source, path + "." + name);
        nested.fieldStart = at;
        return nested;
    }

    /** Appends the current field's floats to {@code values}: packed (length-delimited) or one fixed32 value. */
    void floats(FloatList values, String name) throws OnnxFormatException {
        if (wireType == FIXED32) {
            values.add(float32(name));
            return;
        }
        expect(LENGTH_DELIMITED, name);
        int length = length(name);
        if (length % 4 != 0) {
            throw error(pos, name + ": packed floats of " + length + " bytes, not a multiple of 4");
        }
        int at = take(length, name);
        values.ensure(length / 4);
        for (int i = at; i < at + length; i += 4) {
            values.add(Float.intBitsToFloat(fixed32(i)));
        }
    }

    /** Appends the current field's varints to {@code values}: packed (length-delimited) or one value. */
    void int64s(LongList values, String name) throws OnnxFormatException {
        if (wireType == VARINT) {
            values.add(varint(name));
            return;
        }
        expect(LENGTH_DELIMITED, name);
        int length = length(name);
        int stop = take(length, name) + length;
        pos = stop - length;      // back to the packed values: each varint must end before stop
        while (pos < stop) {
            values.add(varintWithin(stop, name));
        }
    }

    OnnxFormatException error(long offset, String detail) {
        return new OnnxFormatException(source, offset, path + ": " + detail);
    }

    private String fieldName() {
        return "field " + fieldNumber;
    }

    private void expect(int type, String name) throws OnnxFormatException {
        if (wireType != type) {
            throw error(fieldStart, name + " (field " + fieldNumber + ") has wire type " + wireType + ", expected "
                    + type);
        }
    }

    /** A length prefix, checked against the bytes left in this message. */
    private int length(String name) throws OnnxFormatException {
        int at = pos;
        long n = varint(name + " length");
        if (n < 0 || n > end - pos) {
            throw error(at, name + " declares " + Long.toUnsignedString(n) + " bytes but only " + (end - pos)
                    + " are left in " + path + ": the data is cut short or damaged");
        }
        return (int) n;
    }

    /** Advances over n bytes that must be present; returns where they start. */
    private int take(int n, String name) throws OnnxFormatException {
        if (n > end - pos) {
            throw error(pos, name + " needs " + n + " bytes but only " + (end - pos) + " are left in " + path
                    + ": the data is cut short or damaged");
        }
        int at = pos;
        pos += n;
        return at;
    }

    private long varint(String name) throws OnnxFormatException {
        return varintWithin(end, name);
    }

    /** A base-128 varint of at most 10 bytes, ending before {@code stop}. */
    private long varintWithin(int stop, String name) throws OnnxFormatException {
        int at = pos;
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= stop) {
                throw error(at, name + ": the varint is cut off by the end of " + path);
            }
            byte b = buf[pos++];
            if (shift == 63 && (b & 0xFE) != 0) {
                throw error(at, name + ": the varint is longer than 64 bits");
            }
            value |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return value;
            }
        }
        throw new AssertionError("unreachable: the 10th byte ends every varint");
    }

    private int fixed32(int at) {
        return (buf[at] & 0xFF) | (buf[at + 1] & 0xFF) << 8 | (buf[at + 2] & 0xFF) << 16 | (buf[at + 3] & 0xFF) << 24;
    }

    /** A growable float array; grows by what was read, so never beyond the input's size. */
    static final class FloatList {
        private float[] values = new float[8];
        private int size;

        void ensure(int more) {
            if (size + more > values.length) {
                values = Arrays.copyOf(values, Math.max(size + more, 2 * values.length));
            }
        }

        void add(float v) {
            ensure(1);
            values[size++] = v;
        }

        int size() {
            return size;
        }

        float[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }

    /** A growable long array; grows by what was read, so never beyond the input's size. */
    static final class LongList {
        private long[] values = new long[8];
        private int size;

        void add(long v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, 2 * size);
            }
            values[size++] = v;
        }

        int size() {
            return size;
        }

        long[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }
}
