package io.dualstack.controllers.workload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Pod-template identity as the deployment controller uses it: the {@code pod-template-hash}
 * label value (FNV-32a over the template and the collision count, encoded with upstream's
 * "safe" alphabet), equality ignoring that label, and label-selector matching. Pure.
 */
public final class PodTemplates {
    private PodTemplates() {}

    public static final String HASH_LABEL = "pod-template-hash";
    private static final String SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
    private static final ObjectMapper JSON = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    /** The template's canonical JSON without the pod-template-hash label. */
    static JsonNode canonical(PodTemplateSpec template) {
        ObjectNode tree = JSON.valueToTree(template == null ? new PodTemplateSpec() : template);
        JsonNode labels = tree.path("metadata").path("labels");
        if (labels instanceof ObjectNode o) {
            o.remove(HASH_LABEL);
            if (o.isEmpty()) ((ObjectNode) tree.get("metadata")).remove("labels");
        }
        return tree;
    }

    /** upstream EqualIgnoreHash: templates equal once the pod-template-hash label is dropped. */
    public static boolean equalIgnoringHash(PodTemplateSpec a, PodTemplateSpec b) {
        return canonical(a).equals(canonical(b));
    }

    /** upstream ComputeHash: stable for equal templates, different when collisionCount differs. */
    public static String hash(PodTemplateSpec template, Integer collisionCount) {
        String text;
        try {
            text = JSON.writeValueAsString(canonical(template));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        int h = 0x811c9dc5;
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        for (byte b : bytes) {
            h ^= (b & 0xff);
            h *= 0x01000193;
        }
        if (collisionCount != null) {
            byte[] c = java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(collisionCount).array();
            for (byte b : c) {
                h ^= (b & 0xff);
                h *= 0x01000193;
            }
        }
        String decimal = Long.toString(Integer.toUnsignedLong(h));
        StringBuilder out = new StringBuilder();
        for (char ch : decimal.toCharArray()) out.append(SAFE_ALPHABET.charAt(ch % SAFE_ALPHABET.length()));
        return out.toString();
    }

    /** metav1.LabelSelector matching (nil selector matches nothing, empty matches everything). */
    public static boolean matches(LabelSelector s, Map<String, String> labels) {
        return io.dualstack.core.LabelSelectors.matches(s, labels);
    }
}
