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
 *
 * <p>Checking lengths bounds each allocation by the bytes it covers, but not the sum: a decoded
 * object costs far more heap than its smallest encoding (a 2-byte empty message becomes a record of
 * some 50 bytes, a 1-byte varint a long of 8). So every reader over one buffer shares a budget of
 * {@value #BUDGET_PER_BYTE} estimated heap bytes per input byte plus {@value #BUDGET_SLACK}, and each
 * decoded message, string, byte array and list element is charged against it: a file that would
 * decode to more is refused, naming the field and offset, before it can exhaust the heap.
 */
final class ProtoReader {
    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;
    static final int FIXED32 = 5;

    /** The decoding budget: estimated heap bytes allowed per input byte, plus a fixed allowance (see above). */
    static final int BUDGET_PER_BYTE = 8;
    static final int BUDGET_SLACK = 16 << 20;
    // Estimated heap costs charged: a decoded record with its list slot; a String before its bytes; a byte[] header.
    static final int MESSAGE_COST = 64;
    static final int STRING_COST = 48;
    static final int ARRAY_COST = 16;

    /** What the readers over one buffer may still decode, in estimated heap bytes; shared by the nested readers. */
    private static final class Budget {
        long left;

        Budget(long left) {
            this.left = left;
        }
    }

    private final Budget budget;

    private final byte[] buf;
    private final String source;
    private final String path;
    private final int end;
    private int pos;
    private int fieldStart;     // offset of the current field's tag, for messages
    private int wireType = -1;
    private int fieldNumber;

    ProtoReader(byte[] buf, String source) {
        this(buf, 0, buf.length, source, "model",
                new Budget((long) BUDGET_PER_BYTE * buf.length + BUDGET_SLACK));
    }

    private ProtoReader(byte[] buf, int start, int end, String source, String path, Budget budget) {
        this.buf = buf;
        this.budget = budget;
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

    /**
     * The current field as an int32 or enum: a varint whose value fits 32 bits (a negative int32 is
     * written sign-extended to 64 bits); anything larger is refused rather than truncated.
     */
    int int32(String name) throws OnnxFormatException {
        long value = int64(name);
        if (value != (int) value) {
            throw error(fieldStart, name + " is " + value + ", out of the range of an int32 or enum field");
        }
        return (int) value;
    }

    /**
     * Refuses one more element of a repeated field that already holds {@code count}, when that would
     * make more than {@code max}: the decoder caps each list at what a model backlane can represent
     * could need, so that a hostile file cannot make it hold millions of tiny messages.
     */
    void limit(int count, int max, String name) throws OnnxFormatException {
        if (count >= max) {
            throw error(fieldStart, "more than " + max + " " + name + "; no model backlane can represent has as many");
        }
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
        charge(STRING_COST + length, at, name);
        if (length == 0) {
            return "";
        }
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
        charge(ARRAY_COST + length, at, name);
        return Arrays.copyOfRange(buf, at, at + length);
    }

    /** The current field as a nested message, read by the returned reader; {@code name} extends the path. */
    ProtoReader message(String name) throws OnnxFormatException {
        expect(LENGTH_DELIMITED, name);
        int length = length(name);
        int at = take(length, name);
        charge(MESSAGE_COST, fieldStart, name);
        ProtoReader nested = new ProtoReader(buf, at, at + length, source, path + "." + name, budget);
        nested.fieldStart = at;
        return nested;
    }

    /** Appends the current field's floats to {@code values}: packed (length-delimited) or one fixed32 value. */
    void floats(FloatList values, String name) throws OnnxFormatException {
        if (wireType == FIXED32) {
            charge(Float.BYTES, fieldStart, name);
            values.add(float32(name));
            return;
        }
        expect(LENGTH_DELIMITED, name);
        int length = length(name);
        if (length % 4 != 0) {
            throw error(pos, name + ": packed floats of " + length + " bytes, not a multiple of 4");
        }
        int at = take(length, name);
        charge((long) Float.BYTES * (length / 4), at, name);
        values.ensure(length / 4);
        for (int i = at; i < at + length; i += 4) {
            values.add(Float.intBitsToFloat(fixed32(i)));
        }
    }

    /**
     * Appends the current field's varints to {@code values}: packed (length-delimited) or one value;
     * refuses more than {@code max} in all.
     */
    void int64s(LongList values, String name, int max) throws OnnxFormatException {
        if (wireType == VARINT) {
            limit(values.size(), max, name);
            charge(Long.BYTES, fieldStart, name);
            values.add(varint(name));
            return;
        }
        expect(LENGTH_DELIMITED, name);
        int length = length(name);
        int start = take(length, name);
        int stop = start + length;
        // Each varint ends with the one byte of it below 0x80: counting those sizes the list exactly, once.
        int count = 0;
        for (int i = start; i < stop; i++) {
            count += buf[i] >= 0 ? 1 : 0;
        }
        if (count > max - values.size()) {
            throw error(start, name + ": " + (values.size() + count) + " values, more than " + max
                    + "; no model backlane can represent has as many");
        }
        charge((long) Long.BYTES * count, start, name);
        values.ensure(count);
        pos = start;      // back to the packed values: each varint must end before stop
        while (pos < stop) {
            values.add(varintWithin(stop, name));
        }
    }

    OnnxFormatException error(long offset, String detail) {
        return new OnnxFormatException(source, offset, path + ": " + detail);
    }

    /** Takes {@code cost} estimated heap bytes from the shared budget, or refuses the file. */
    private void charge(long cost, int at, String name) throws OnnxFormatException {
        budget.left -= cost;
        if (budget.left < 0) {
            throw error(at, name + ": decoding the file would take more than " + BUDGET_PER_BYTE + " heap bytes per"
                    + " file byte (plus " + (BUDGET_SLACK >> 20) + " MiB); a model's file is mostly weights, which"
                    + " decode byte for byte, so this is damaged or hostile data");
        }
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

    private static final float[] NO_FLOATS = {};
    private static final long[] NO_LONGS = {};

    /**
     * A growable float array; grows by what was read, so never beyond the input's size. It allocates
     * nothing until a value arrives (most attributes and tensors leave most lists empty), and a list
     * sized exactly by {@link #ensure} is handed out without a copy.
     */
    static final class FloatList {
        private float[] values = NO_FLOATS;
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
            return size == values.length ? values : Arrays.copyOf(values, size);
        }
    }

    /** A growable long array, like {@link FloatList}. */
    static final class LongList {
        private long[] values = NO_LONGS;
        private int size;

        void ensure(int more) {
            if (size + more > values.length) {
                values = Arrays.copyOf(values, Math.max(size + more, 2 * values.length));
            }
        }

        void add(long v) {
            ensure(1);
            values[size++] = v;
        }

        int size() {
            return size;
        }

        long[] toArray() {
            return size == values.length ? values : Arrays.copyOf(values, size);
        }
    }
}
