package io.dualstack.apiserver.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dualstack.apiserver.registry.ApiException;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * Decodes the Kubernetes protobuf envelope ({@code k8s\0} + {@code runtime.Unknown}) that
 * kubectl's typed clients send for {@code kubectl create namespace|configmap|deployment|service} and
 * {@code kubectl auth can-i} (a SelfSubjectAccessReview),
 * into the JSON object the rest of the server works with. Only the messages and fields those
 * generators fill are known (field numbers from upstream's {@code generated.proto}); a non-empty
 * field outside that set is a 415, never silently dropped.
 */
public final class ProtobufDecoder {
    private ProtobufDecoder() {}

    private enum T { STRING, INT, BOOL, BYTES_B64, MESSAGE, MAP_STRING, MAP_BYTES, INT_OR_STRING, TIME, REPEATED_STRING, REPEATED_MESSAGE }

    private record F(String name, T type, String message) {}

    private static final Map<String, Map<Integer, F>> SCHEMA = new HashMap<>();

    private static void msg(String name, Object... fields) {
        Map<Integer, F> m = new HashMap<>();
        for (int i = 0; i < fields.length; i += 4) {
            m.put((Integer) fields[i], new F((String) fields[i + 1], (T) fields[i + 2], (String) fields[i + 3]));
        }
        SCHEMA.put(name, m);
    }

    static {
        msg("ObjectMeta", 1, "name", T.STRING, null, 2, "generateName", T.STRING, null, 3, "namespace", T.STRING, null,
                5, "uid", T.STRING, null, 6, "resourceVersion", T.STRING, null, 7, "generation", T.INT, null,
                8, "creationTimestamp", T.TIME, null, 11, "labels", T.MAP_STRING, null, 12, "annotations", T.MAP_STRING, null,
                14, "finalizers", T.REPEATED_STRING, null);
        msg("Namespace", 1, "metadata", T.MESSAGE, "ObjectMeta", 2, "spec", T.MESSAGE, "NamespaceSpec", 3, "status", T.MESSAGE, "Empty");
        msg("NamespaceSpec", 1, "finalizers", T.REPEATED_STRING, null);
        msg("ConfigMap", 1, "metadata", T.MESSAGE, "ObjectMeta", 2, "data", T.MAP_STRING, null, 3, "binaryData", T.MAP_BYTES, null,
                4, "immutable", T.BOOL, null);
        msg("Deployment", 1, "metadata", T.MESSAGE, "ObjectMeta", 2, "spec", T.MESSAGE, "DeploymentSpec", 3, "status", T.MESSAGE, "Empty");
        msg("DeploymentSpec", 1, "replicas", T.INT, null, 2, "selector", T.MESSAGE, "LabelSelector", 3, "template", T.MESSAGE, "PodTemplateSpec",
                4, "strategy", T.MESSAGE, "Empty");
        msg("LabelSelector", 1, "matchLabels", T.MAP_STRING, null);
        msg("PodTemplateSpec", 1, "metadata", T.MESSAGE, "ObjectMeta", 2, "spec", T.MESSAGE, "PodSpec");
        msg("PodSpec", 2, "containers", T.REPEATED_MESSAGE, "Container");
        msg("Container", 1, "name", T.STRING, null, 2, "image", T.STRING, null, 3, "command", T.REPEATED_STRING, null,
                4, "args", T.REPEATED_STRING, null, 6, "ports", T.REPEATED_MESSAGE, "ContainerPort", 8, "resources", T.MESSAGE, "Empty");
        msg("ContainerPort", 1, "name", T.STRING, null, 3, "containerPort", T.INT, null, 4, "protocol", T.STRING, null);
        msg("Service", 1, "metadata", T.MESSAGE, "ObjectMeta", 2, "spec", T.MESSAGE, "ServiceSpec", 3, "status", T.MESSAGE, "ServiceStatus");
        msg("ServiceStatus", 1, "loadBalancer", T.MESSAGE, "Empty");
        msg("ServiceSpec", 1, "ports", T.REPEATED_MESSAGE, "ServicePort", 2, "selector", T.MAP_STRING, null, 3, "clusterIP", T.STRING, null,
                4, "type", T.STRING, null, 10, "externalName", T.STRING, null);
        msg("ServicePort", 1, "name", T.STRING, null, 2, "protocol", T.STRING, null, 3, "port", T.INT, null,
                4, "targetPort", T.INT_OR_STRING, null, 5, "nodePort", T.INT, null);
        msg("SelfSubjectAccessReview", 1, "metadata", T.MESSAGE, "ObjectMeta", 2, "spec", T.MESSAGE, "SelfSubjectAccessReviewSpec",
                3, "status", T.MESSAGE, "Empty");
        msg("SelfSubjectAccessReviewSpec", 1, "resourceAttributes", T.MESSAGE, "ResourceAttributes",
                2, "nonResourceAttributes", T.MESSAGE, "NonResourceAttributes");
        msg("ResourceAttributes", 1, "namespace", T.STRING, null, 2, "verb", T.STRING, null, 3, "group", T.STRING, null,
                4, "version", T.STRING, null, 5, "resource", T.STRING, null, 6, "subresource", T.STRING, null, 7, "name", T.STRING, null);
        msg("NonResourceAttributes", 1, "path", T.STRING, null, 2, "verb", T.STRING, null);
        msg("Empty");
    }

    /**
     * Scalars whose zero value upstream's JSON still writes: pointers ({@code *int32 replicas}, {@code *bool immutable},
     * which protobuf only encodes when set) and fields without {@code omitempty}. Every other scalar is
     * {@code omitempty}: protobuf always encodes it, JSON leaves its zero value out, and so does this decoder.
     */
    private static final java.util.Set<String> KEEP_ZERO = java.util.Set.of("ConfigMap.immutable", "DeploymentSpec.replicas",
            "Container.name", "ContainerPort.containerPort", "ServicePort.port");

    private static final Map<String, String> ROOT = Map.of("Namespace", "Namespace", "ConfigMap", "ConfigMap",
            "Deployment", "Deployment", "Service", "Service", "SelfSubjectAccessReview", "SelfSubjectAccessReview");

    /** Decodes an envelope into a JSON object with apiVersion and kind. */
    public static ObjectNode decode(byte[] body) {
        if (body.length < 4 || body[0] != 'k' || body[1] != '8' || body[2] != 's' || body[3] != 0) {
            throw unsupported("not a Kubernetes protobuf envelope");
        }
        Reader env = new Reader(body, 4, body.length);
        String apiVersion = "", kind = "";
        byte[] raw = new byte[0];
        while (env.more()) {
            long tag = env.varint();
            int field = (int) (tag >>> 3);
            int wire = (int) (tag & 7);
            if (field == 1 && wire == 2) {
                Reader tm = env.sub();
                while (tm.more()) {
                    long t2 = tm.varint();
                    if ((t2 >>> 3) == 1) apiVersion = tm.string();
                    else if ((t2 >>> 3) == 2) kind = tm.string();
                    else tm.skip((int) (t2 & 7));
                }
            } else if (field == 2 && wire == 2) {
                raw = env.bytes();
            } else {
                env.skip(wire);
            }
        }
        String root = ROOT.get(kind);
        if (root == null) throw unsupported("kind " + kind + " is not decodable from protobuf");
        ObjectNode o = message(root, new Reader(raw, 0, raw.length));
        o.put("apiVersion", apiVersion);
        o.put("kind", kind);
        return o;
    }

    private static ObjectNode message(String name, Reader r) {
        Map<Integer, F> fields = SCHEMA.get(name);
        ObjectNode o = Json.NODES.objectNode();
        while (r.more()) {
            long tag = r.varint();
            int num = (int) (tag >>> 3);
            int wire = (int) (tag & 7);
            F f = fields.get(num);
            if (f == null) {
                if (wire == 2) {
                    byte[] b = r.bytes();
                    if (b.length > 0) throw unsupported("field " + num + " of " + name + " is not supported");
                } else if (wire == 0) {
                    long v = r.varint();
                    if (v != 0) throw unsupported("field " + num + " of " + name + " is not supported");
                } else {
                    r.skip(wire);
                }
                continue;
            }
            switch (f.type()) {
                case STRING -> {
                    String v = r.string();
                    if (!v.isEmpty() || keepZero(name, f)) o.put(f.name(), v);
                }
                case INT -> {
                    long v = r.varint();
                    if (v != 0 || keepZero(name, f)) o.put(f.name(), v);
                }
                case BOOL -> {
                    boolean v = r.varint() != 0;
                    if (v || keepZero(name, f)) o.put(f.name(), v);
                }
                case MESSAGE -> o.set(f.name(), message(f.message(), r.sub()));
                case REPEATED_STRING -> array(o, f.name()).add(r.string());
                case REPEATED_MESSAGE -> array(o, f.name()).add(message(f.message(), r.sub()));
                case MAP_STRING, MAP_BYTES -> {
                    Reader e = r.sub();
                    String k = "", v = "";
                    while (e.more()) {
                        long t2 = e.varint();
                        if ((t2 >>> 3) == 1) k = e.string();
                        else if ((t2 >>> 3) == 2) v = f.type() == T.MAP_STRING ? e.string() : Base64.getEncoder().encodeToString(e.bytes());
                        else e.skip((int) (t2 & 7));
                    }
                    (o.has(f.name()) ? (ObjectNode) o.get(f.name()) : o.putObject(f.name())).put(k, v);
                }
                case INT_OR_STRING -> {
                    Reader e = r.sub();
                    long type = 0, iv = 0;
                    String sv = "";
                    while (e.more()) {
                        long t2 = e.varint();
                        switch ((int) (t2 >>> 3)) {
                            case 1 -> type = e.varint();
                            case 2 -> iv = e.varint();
                            case 3 -> sv = e.string();
                            default -> e.skip((int) (t2 & 7));
                        }
                    }
                    if (type == 1) o.put(f.name(), sv);
                    else o.put(f.name(), (int) iv);
                }
                case TIME -> {
                    Reader e = r.sub();
                    long seconds = 0;
                    while (e.more()) {
                        long t2 = e.varint();
                        if ((t2 >>> 3) == 1) seconds = e.varint();
                        else e.skip((int) (t2 & 7));
                    }
                    // the zero time (a pod template's creationTimestamp) is left out, as this server's JSON path stores it
                    if (seconds != 0) o.put(f.name(), java.time.Instant.ofEpochSecond(seconds).toString());
                }
                default -> r.skip(wire);
            }
        }
        return o;
    }

    private static boolean keepZero(String message, F f) {
        return KEEP_ZERO.contains(message + "." + f.name());
    }

    private static ArrayNode array(ObjectNode o, String name) {
        return o.has(name) ? (ArrayNode) o.get(name) : o.putArray(name);
    }

    private static ApiException unsupported(String why) {
        return new ApiException(new io.fabric8.kubernetes.api.model.StatusBuilder().withStatus("Failure").withCode(415).withReason("UnsupportedMediaType")
                .withMessage("the body of the request was in an unknown format - accepted media types include: application/json, application/yaml"
                        + " (protobuf: " + why + "; use kubectl apply -f or kubectl create -f)")
                .withNewMetadata().endMetadata().build());
    }

    private static final class Reader {
        private final byte[] b;
        private int pos;
        private final int end;

        Reader(byte[] b, int pos, int end) {
            this.b = b;
            this.pos = pos;
            this.end = end;
        }

        boolean more() {
            return pos < end;
        }

        long varint() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= end) throw unsupported("truncated varint");
                byte x = b[pos++];
                v |= (long) (x & 0x7f) << shift;
                if ((x & 0x80) == 0) return v;
            }
            throw unsupported("malformed varint");
        }

        byte[] bytes() {
            int n = (int) varint();
            if (n < 0 || pos + n > end) throw unsupported("truncated field");
            byte[] out = java.util.Arrays.copyOfRange(b, pos, pos + n);
            pos += n;
            return out;
        }

        String string() {
            return new String(bytes(), StandardCharsets.UTF_8);
        }

        Reader sub() {
            int n = (int) varint();
            if (n < 0 || pos + n > end) throw unsupported("truncated message");
            Reader r = new Reader(b, pos, pos + n);
            pos += n;
            return r;
        }

        void skip(int wire) {
            switch (wire) {
                case 0 -> varint();
                case 1 -> pos += 8;
                case 2 -> bytes();
                case 5 -> pos += 4;
                default -> throw unsupported("unknown wire type " + wire);
            }
        }
    }
}
