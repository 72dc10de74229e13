package io.dualstack.apiserver.openapi;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A minimal protobuf (proto3 wire format) writer: varints, fixed64 doubles and length-delimited
 * fields. Nested messages are written into their own writer first and then embedded with
 * {@link #message(int, ProtoWriter)}. Just enough for {@link OpenApiV2Protobuf}; not a general codec.
 */
final class ProtoWriter {
    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private void tag(int field, int wireType) {
        varint(((long) field << 3) | wireType);
    }

    private void varint(long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    ProtoWriter string(int field, String s) {
        return bytes(field, s.getBytes(StandardCharsets.UTF_8));
    }

    ProtoWriter bytes(int field, byte[] b) {
        tag(field, LENGTH_DELIMITED);
        varint(b.length);
        out.writeBytes(b);
        return this;
    }

    ProtoWriter message(int field, ProtoWriter m) {
        return bytes(field, m.toByteArray());
    }

    ProtoWriter bool(int field, boolean b) {
        tag(field, VARINT);
        varint(b ? 1 : 0);
        return this;
    }

    ProtoWriter int64(int field, long v) {
        tag(field, VARINT);
        varint(v);
        return this;
    }

    ProtoWriter float64(int field, double d) {
        tag(field, FIXED64);
        long bits = Double.doubleToLongBits(d);
        for (int i = 0; i < 8; i++) {
            out.write((int) (bits >>> (8 * i)) & 0xFF);
        }
        return this;
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }
}
