package io.dualstack.apiserver.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Protobuf always encodes non-pointer scalars, even when zero; the decoded object must be what the
 * object's JSON (omitempty) would be. Bodies built by hand, as gogo-protobuf encodes them.
 */
class ProtobufDecoderTest {
    /** A protobuf message under construction. */
    static final class Msg {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Msg varint(int field, long v) {
            tag(field, 0);
            raw(v);
            return this;
        }

        Msg str(int field, String s) {
            return bytes(field, s.getBytes(StandardCharsets.UTF_8));
        }

        Msg msg(int field, Msg m) {
            return bytes(field, m.out.toByteArray());
        }

        Msg bytes(int field, byte[] b) {
            tag(field, 2);
            raw(b.length);
            out.writeBytes(b);
            return this;
        }

        private void tag(int field, int wire) {
            raw(((long) field << 3) | wire);
        }

        private void raw(long v) {
            while ((v & ~0x7fL) != 0) {
                out.write((int) ((v & 0x7f) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
        }
    }

    static byte[] envelope(String apiVersion, String kind, Msg object) {
        Msg env = new Msg().msg(1, new Msg().str(1, apiVersion).str(2, kind)).msg(2, object);
        byte[] body = env.out.toByteArray();
        byte[] out = new byte[body.length + 4];
        out[0] = 'k';
        out[1] = '8';
        out[2] = 's';
        System.arraycopy(body, 0, out, 4, body.length);
        return out;
    }

    /** ObjectMeta as Go's protobuf writes a fresh one: every string and generation present, empty. */
    static Msg meta(String name) {
        return new Msg().str(1, name).str(2, "").str(3, "").str(5, "").str(6, "").varint(7, 0).msg(8, new Msg());
    }

    static final byte[] SERVICE = envelope("v1", "Service", new Msg().msg(1, meta("s"))
            .msg(2, new Msg().msg(1, new Msg().str(1, "").str(2, "TCP").varint(3, 0).msg(4, new Msg().varint(1, 0).varint(2, 80).str(3, "")).varint(5, 0))
                    .str(3, "").str(4, "ClusterIP").str(10, ""))
            .msg(3, new Msg().msg(1, new Msg())));

    static final byte[] DEPLOYMENT = envelope("apps/v1", "Deployment", new Msg().msg(1, meta("d"))
            .msg(2, new Msg().varint(1, 0)
                    .msg(2, new Msg().bytes(1, new Msg().str(1, "app").str(2, "d").out.toByteArray()))
                    .msg(3, new Msg().msg(1, meta("")).msg(2, new Msg().msg(2, new Msg().str(1, "").str(2, "nginx")
                            .msg(6, new Msg().str(1, "").varint(3, 0).str(4, "")))))
                    .msg(4, new Msg()))
            .msg(3, new Msg()));

    static final byte[] CONFIGMAP = envelope("v1", "ConfigMap", new Msg().msg(1, meta("c")).varint(4, 0));

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("ObjectMeta strings and generation are omitempty", SERVICE, "/metadata", "{\"name\":\"s\"}"),
                Arguments.of("ServicePort.port has no omitempty: a zero port stays, nodePort/name go", SERVICE, "/spec/ports/0",
                        "{\"protocol\":\"TCP\",\"port\":0,\"targetPort\":80}"),
                Arguments.of("ServiceSpec empty clusterIP/externalName go, type stays", SERVICE, "/spec",
                        "{\"ports\":[{\"protocol\":\"TCP\",\"port\":0,\"targetPort\":80}],\"type\":\"ClusterIP\"}"),
                Arguments.of("ServiceStatus.loadBalancer is a struct: {}", SERVICE, "/status", "{\"loadBalancer\":{}}"),
                Arguments.of("DeploymentSpec.replicas is a pointer: an explicit 0 stays", DEPLOYMENT, "/spec/replicas", "0"),
                Arguments.of("pod template ObjectMeta: everything empty goes", DEPLOYMENT, "/spec/template/metadata", "{}"),
                Arguments.of("Container.name has no omitempty: kept empty", DEPLOYMENT, "/spec/template/spec/containers/0",
                        "{\"name\":\"\",\"image\":\"nginx\",\"ports\":[{\"containerPort\":0}]}"),
                Arguments.of("ConfigMap.immutable is a pointer: false stays", CONFIGMAP, "/immutable", "false"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decodesLikeTheJson(String name, byte[] body, String pointer, String json) {
        ObjectNode o = ProtobufDecoder.decode(body);
        assertThat(o.at(pointer).toString()).isEqualTo(json);
    }
}
