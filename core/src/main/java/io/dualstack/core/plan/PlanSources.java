package io.dualstack.core.plan;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where each plan field came from, as the input spelled it ({@code kind.yaml: Cluster.networking.podSubnet},
 * {@code --cluster-cidr}, ...). Fields nobody set fall back to their upstream flag name.
 */
public record PlanSources(Map<PlanField, String> fields, Map<String, String> nodes) {
    public PlanSources {
        fields = Map.copyOf(fields);
        nodes = Map.copyOf(nodes);
    }

    public static PlanSources none() {
        return new PlanSources(new EnumMap<>(PlanField.class), new LinkedHashMap<>());
    }

    public String of(PlanField field) {
        return fields.getOrDefault(field, field.flag());
    }

    /** Where the node's --node-ip came from. */
    public String node(String name) {
        return nodes.getOrDefault(name, "kubelet --node-ip (node " + name + ")");
    }
}
