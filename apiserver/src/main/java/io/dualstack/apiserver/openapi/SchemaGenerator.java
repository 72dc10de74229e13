package io.dualstack.apiserver.openapi;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dualstack.apiserver.registry.ResourceType;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Quantity;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * OpenAPI schemas generated from the fabric8 model classes by reflection over their Jackson
 * properties (the same properties the API server reads and writes), named as upstream names
 * definitions ({@code io.k8s.api.core.v1.Service}, {@code io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta}).
 * Kinds carry {@code x-kubernetes-group-version-kind}; list fields carry upstream's patch
 * strategy and merge key ({@link PatchMeta}).
 */
final class SchemaGenerator {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Types of {@code k8s.io/apimachinery/pkg/apis/meta/v1} that fabric8 keeps in its core package. */
    private static final Set<String> META_TYPES = Set.of("ObjectMeta", "ListMeta", "LabelSelector",
            "LabelSelectorRequirement", "OwnerReference", "ManagedFieldsEntry", "FieldsV1", "Status", "StatusDetails",
            "StatusCause", "DeleteOptions", "Preconditions", "Condition", "Time", "MicroTime", "Patch", "APIResource",
            "APIResourceList", "APIGroup", "APIGroupList", "GroupVersionForDiscovery", "ServerAddressByClientCIDR",
            "WatchEvent", "TypeMeta", "ListOptions", "GetOptions", "CreateOptions", "PatchOptions", "UpdateOptions");

    private final String refPrefix;
    /** Definition name → schema, in a stable order. */
    private final Map<String, ObjectNode> definitions = new TreeMap<>();
    /** Definition name → the kinds it is the schema of. */
    private final Map<String, List<ResourceType>> kinds = new LinkedHashMap<>();

    /** {@code refPrefix} is {@code #/components/schemas/} (v3) or {@code #/definitions/} (v2). */
    SchemaGenerator(String refPrefix) {
        this.refPrefix = refPrefix;
    }

    Map<String, ObjectNode> definitions() {
        return definitions;
    }

    /** Upstream definition name of a fabric8 model class. */
    static String definitionName(Class<?> cls) {
        if (cls == IntOrString.class) {
            return "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
        }
        if (cls == Quantity.class) {
            return "io.k8s.apimachinery.pkg.api.resource.Quantity";
        }
        String pkg = cls.getPackageName();
        String simple = cls.getSimpleName();
        String base = "io.fabric8.kubernetes.api.model";
        if (pkg.equals(base)) {
            return (META_TYPES.contains(simple) ? "io.k8s.apimachinery.pkg.apis.meta.v1." : "io.k8s.api.core.v1.") + simple;
        }
        if (pkg.startsWith(base + ".")) {
            String rest = pkg.substring(base.length() + 1);
            if (!rest.matches(".*\\.v\\d+.*")) {
                rest = rest + ".v1";
            }
            return "io.k8s.api." + rest + "." + simple;
        }
        return pkg + "." + simple;
    }

    /** Registers the schema of a served kind and of its list, and everything they reference. */
    void addKind(ResourceType type) {
        String name = definitionName(type.modelClass());
        schemaFor(MAPPER.constructType(type.modelClass()));
        definitions.get(name).set("x-kubernetes-group-version-kind", gvkList(type.group(), type.version(), type.kind()));
        // The list kind: upstream has one definition per list (ServiceList).
        String listName = name + "List";
        ObjectNode list = F.objectNode();
        list.put("type", "object");
        list.put("description", type.kind() + "List is a list of " + type.kind() + ".");
        ObjectNode props = list.putObject("properties");
        props.putObject("apiVersion").put("type", "string");
        ObjectNode items = props.putObject("items");
        items.put("type", "array");
        items.set("items", ref(name));
        props.putObject("kind").put("type", "string");
        props.set("metadata", schemaFor(MAPPER.constructType(io.fabric8.kubernetes.api.model.ListMeta.class)));
        list.putArray("required").add("items");
        list.set("x-kubernetes-group-version-kind", gvkList(type.group(), type.version(), type.listKind()));
        definitions.put(listName, list);
    }

    /** Adds meta/v1 definitions that operations reference (Status, DeleteOptions, Patch). */
    void addCommon() {
        schemaFor(MAPPER.constructType(io.fabric8.kubernetes.api.model.Status.class));
        schemaFor(MAPPER.constructType(io.fabric8.kubernetes.api.model.DeleteOptions.class));
        ObjectNode patch = F.objectNode();
        patch.put("type", "object");
        patch.put("description", "Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.");
        definitions.put("io.k8s.apimachinery.pkg.apis.meta.v1.Patch", patch);
    }

    ObjectNode ref(String definition) {
        ObjectNode r = F.objectNode();
        r.put("$ref", refPrefix + definition);
        return r;
    }

    private static JsonNode gvkList(String group, String version, String kind) {
        ObjectNode gvk = F.objectNode();
        gvk.put("group", group);
        gvk.put("kind", kind);
        gvk.put("version", version);
        return F.arrayNode().add(gvk);
    }

    /** Schema of a Java type: a primitive schema, an array/map, or a $ref to a generated definition. */
    ObjectNode schemaFor(JavaType t) {
        Class<?> raw = t.getRawClass();
        ObjectNode s = F.objectNode();
        if (raw == String.class) {
            s.put("type", "string");
        } else if (raw == Integer.class || raw == int.class || raw == Short.class || raw == short.class) {
            s.put("type", "integer").put("format", "int32");
        } else if (raw == Long.class || raw == long.class) {
            s.put("type", "integer").put("format", "int64");
        } else if (raw == Boolean.class || raw == boolean.class) {
            s.put("type", "boolean");
        } else if (raw == Double.class || raw == double.class || raw == Float.class || raw == float.class) {
            s.put("type", "number").put("format", "double");
        } else if (raw == IntOrString.class) {
            String name = definitionName(raw);
            if (!definitions.containsKey(name)) {
                ObjectNode d = F.objectNode();
                d.put("type", "string").put("format", "int-or-string");
                d.put("x-kubernetes-int-or-string", true);
                definitions.put(name, d);
            }
            return ref(name);
        } else if (raw == Quantity.class) {
            String name = definitionName(raw);
            definitions.putIfAbsent(name, F.objectNode().put("type", "string"));
            return ref(name);
        } else if (t.isCollectionLikeType() || t.isArrayType() || Collection.class.isAssignableFrom(raw)) {
            s.put("type", "array");
            JavaType content = t.getContentType();
            s.set("items", content == null ? F.objectNode().put("type", "object") : schemaFor(content));
        } else if (t.isMapLikeType()) {
            s.put("type", "object");
            JavaType value = t.getContentType();
            if (value != null && value.getRawClass() != Object.class) {
                s.set("additionalProperties", schemaFor(value));
            }
        } else if (raw.getName().startsWith("io.fabric8.") && !raw.isInterface()
                && !java.lang.reflect.Modifier.isAbstract(raw.getModifiers())) {
            String name = definitionName(raw);
            if (!definitions.containsKey(name)) {
                definitions.put(name, F.objectNode()); // placeholder: breaks reference cycles
                definitions.put(name, objectSchema(t, raw));
            }
            return ref(name);
        } else {
            s.put("type", "object");
            s.put("x-kubernetes-preserve-unknown-fields", true);
        }
        return s;
    }

    /** A serialized JSON property of a model class. */
    private record Property(String name, JavaType type) {}

    /** Jackson introspection is the expensive part; every document shares it. */
    private static final Map<Class<?>, List<Property>> PROPERTIES = new java.util.concurrent.ConcurrentHashMap<>();

    private static List<Property> properties(JavaType t) {
        return PROPERTIES.computeIfAbsent(t.getRawClass(), c -> {
            BeanDescription desc = MAPPER.getSerializationConfig().introspect(t);
            List<Property> out = new java.util.ArrayList<>();
            for (BeanPropertyDefinition p : desc.findProperties()) {
                if (p.couldSerialize() && !p.getName().equals("additionalProperties")) {
                    out.add(new Property(p.getName(), p.getPrimaryType()));
                }
            }
            return List.copyOf(out);
        });
    }

    private ObjectNode objectSchema(JavaType t, Class<?> raw) {
        ObjectNode d = F.objectNode();
        d.put("type", "object");
        ObjectNode props = d.putObject("properties");
        TreeMap<String, ObjectNode> sorted = new TreeMap<>();
        for (Property p : properties(t)) {
            ObjectNode base = schemaFor(p.type()).deepCopy();
            java.util.Optional<PatchMeta.Entry> meta = PatchMeta.of(raw.getSimpleName(), p.name());
            ObjectNode ps = base;
            if (meta.isPresent() && base.has("$ref")) {
                // Siblings of $ref are ignored; upstream wraps the reference in allOf.
                ps = F.objectNode();
                ps.putArray("allOf").add(base);
            }
            final ObjectNode target = ps;
            meta.ifPresent(m -> {
                target.put("x-kubernetes-patch-strategy", m.strategy());
                if (!m.mergeKey().isEmpty()) {
                    target.put("x-kubernetes-patch-merge-key", m.mergeKey());
                }
            });
            sorted.put(p.name(), ps);
        }
        sorted.forEach(props::set);
        return d;
    }
}
