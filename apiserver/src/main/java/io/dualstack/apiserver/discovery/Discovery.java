package io.dualstack.apiserver.discovery;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dualstack.apiserver.registry.ResourceCatalog;
import io.dualstack.apiserver.registry.ResourceType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Discovery documents built from a list of {@link ResourceType}s: the legacy endpoints
 * ({@code /api}, {@code /apis}, {@code /apis/G}, {@code /api/v1}, {@code /apis/G/V}) and aggregated
 * discovery v2 ({@code APIGroupDiscoveryList} for {@code /api} and {@code /apis}). Pure: no I/O; the
 * HTTP layer serves {@link #bytes} of these nodes with the matching content type.
 *
 * <p>Upstream parity: verbs per resource and subresource as kube-apiserver advertises them,
 * subresources as {@code pods/status} entries in APIResourceList, {@code responseKind} on every
 * aggregated resource and subresource (client-go drops entries without it), and the {@code scale}
 * subresource answering {@code autoscaling/v1 Scale}.
 */
public final class Discovery {

    /** Content type of an aggregated discovery answer. */
    public static final String AGGREGATED_CONTENT_TYPE =
            "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

    /** Verbs of a full resource (create … watch), sorted as upstream lists them. */
    public static final List<String> RESOURCE_VERBS =
            List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private final List<ResourceType> types;

    public Discovery(List<ResourceType> types) {
        this.types = List.copyOf(types);
    }

    /** Discovery over every served resource. */
    public static Discovery served() {
        return new Discovery(ResourceCatalog.ALL);
    }

    /** What a subresource answers and which verbs it takes. */
    public record Subresource(String name, String group, String version, String kind, List<String> verbs) {
        public Subresource {
            verbs = List.copyOf(verbs);
        }
    }

    /** The subresource {@code name} of {@code type}, with upstream's response kind and verbs. */
    public static Subresource subresource(ResourceType type, String name) {
        return switch (name) {
            case "status" -> new Subresource(name, type.group(), type.version(), type.kind(), List.of("get", "patch", "update"));
            case "scale" -> new Subresource(name, "autoscaling", "v1", "Scale", List.of("get", "patch", "update"));
            case "exec" -> new Subresource(name, "", "v1", "PodExecOptions", List.of("create", "get"));
            case "attach" -> new Subresource(name, "", "v1", "PodAttachOptions", List.of("create", "get"));
            case "portforward" -> new Subresource(name, "", "v1", "PodPortForwardOptions", List.of("create", "get"));
            case "log" -> new Subresource(name, type.group(), type.version(), type.kind(), List.of("get"));
            case "finalize" -> new Subresource(name, type.group(), type.version(), type.kind(), List.of("update"));
            case "binding" -> new Subresource(name, "", "v1", "Binding", List.of("create"));
            case "eviction" -> new Subresource(name, "policy", "v1", "Eviction", List.of("create"));
            default -> new Subresource(name, type.group(), type.version(), type.kind(), List.of("get"));
        };
    }

    /** Groups other than core in order of first appearance; each with its versions in order. */
    private Map<String, List<String>> namedGroups() {
        Map<String, List<String>> groups = new LinkedHashMap<>();
        for (ResourceType t : types) {
            if (t.group().isEmpty()) {
                continue;
            }
            List<String> versions = groups.computeIfAbsent(t.group(), g -> new ArrayList<>());
            if (!versions.contains(t.version())) {
                versions.add(t.version());
            }
        }
        return groups;
    }

    private List<String> coreVersions() {
        List<String> versions = new ArrayList<>();
        for (ResourceType t : types) {
            if (t.group().isEmpty() && !versions.contains(t.version())) {
                versions.add(t.version());
            }
        }
        return versions;
    }

    // ---------------------------------------------------------------- legacy

    /** {@code GET /api}: APIVersions. {@code serverAddress} is {@code host:port} as clients reach us. */
    public ObjectNode apiVersions(String serverAddress) {
        ObjectNode n = F.objectNode();
        n.put("kind", "APIVersions");
        ArrayNode versions = n.putArray("versions");
        coreVersions().forEach(versions::add);
        ArrayNode addrs = n.putArray("serverAddressByClientCIDRs");
        ObjectNode a = addrs.addObject();
        a.put("clientCIDR", "0.0.0.0/0");
        a.put("serverAddress", serverAddress);
        return n;
    }

    /** {@code GET /apis}: APIGroupList. */
    public ObjectNode apiGroupList() {
        ObjectNode n = F.objectNode();
        n.put("kind", "APIGroupList");
        n.put("apiVersion", "v1");
        ArrayNode groups = n.putArray("groups");
        namedGroups().forEach((g, versions) -> groups.add(apiGroupBody(g, versions)));
        return n;
    }

    /** {@code GET /apis/G}: APIGroup, or empty when the group is not served. */
    public Optional<ObjectNode> apiGroup(String group) {
        List<String> versions = namedGroups().get(group);
        if (versions == null) {
            return Optional.empty();
        }
        ObjectNode n = F.objectNode();
        n.put("kind", "APIGroup");
        n.put("apiVersion", "v1");
        n.setAll(apiGroupBody(group, versions));
        return Optional.of(n);
    }

    private static ObjectNode apiGroupBody(String group, List<String> versions) {
        ObjectNode g = F.objectNode();
        g.put("name", group);
        ArrayNode vs = g.putArray("versions");
        for (String v : versions) {
            vs.addObject().put("groupVersion", group + "/" + v).put("version", v);
        }
        g.putObject("preferredVersion").put("groupVersion", group + "/" + versions.get(0)).put("version", versions.get(0));
        return g;
    }

    /**
     * {@code GET /api/v1} ({@code group} "") or {@code /apis/G/V}: APIResourceList, or empty when
     * nothing is served there.
     */
    public Optional<ObjectNode> apiResourceList(String group, String version) {
        List<ResourceType> in = types.stream().filter(t -> t.group().equals(group) && t.version().equals(version)).toList();
        if (in.isEmpty()) {
            return Optional.empty();
        }
        ObjectNode n = F.objectNode();
        n.put("kind", "APIResourceList");
        n.put("apiVersion", "v1");
        n.put("groupVersion", group.isEmpty() ? version : group + "/" + version);
        ArrayNode resources = n.putArray("resources");
        for (ResourceType t : in) {
            ObjectNode r = resources.addObject();
            r.put("name", t.plural());
            r.put("singularName", t.singular());
            r.put("namespaced", t.namespaced());
            r.put("kind", t.kind());
            strings(r.putArray("verbs"), ResourceCatalog.verbs(t));
            if (!t.shortNames().isEmpty()) {
                strings(r.putArray("shortNames"), t.shortNames());
            }
            if (!t.categories().isEmpty()) {
                strings(r.putArray("categories"), t.categories());
            }
            for (String sub : t.subresources()) {
                Subresource s = subresource(t, sub);
                ObjectNode sr = resources.addObject();
                sr.put("name", t.plural() + "/" + sub);
                sr.put("singularName", "");
                sr.put("namespaced", t.namespaced());
                if (!s.group().equals(t.group()) || !s.version().equals(t.version())) {
                    sr.put("group", s.group());
                    sr.put("version", s.version());
                }
                sr.put("kind", s.kind());
                strings(sr.putArray("verbs"), s.verbs());
            }
        }
        return Optional.of(n);
    }

    // ---------------------------------------------------------------- aggregated v2

    /** Aggregated discovery for {@code GET /api}: the core group only. */
    public ObjectNode aggregatedApi() {
        ObjectNode list = aggregatedList();
        ArrayNode items = list.putArray("items");
        List<String> versions = coreVersions();
        if (!versions.isEmpty()) {
            items.add(aggregatedGroup("", versions));
        }
        return list;
    }

    /** Aggregated discovery for {@code GET /apis}: every named group. */
    public ObjectNode aggregatedApis() {
        ObjectNode list = aggregatedList();
        ArrayNode items = list.putArray("items");
        namedGroups().forEach((g, versions) -> items.add(aggregatedGroup(g, versions)));
        return list;
    }

    private static ObjectNode aggregatedList() {
        ObjectNode list = F.objectNode();
        list.put("kind", "APIGroupDiscoveryList");
        list.put("apiVersion", "apidiscovery.k8s.io/v2");
        list.putObject("metadata");
        return list;
    }

    private ObjectNode aggregatedGroup(String group, List<String> versions) {
        ObjectNode g = F.objectNode();
        g.putObject("metadata").put("name", group);
        ArrayNode vs = g.putArray("versions");
        for (String v : versions) {
            ObjectNode vn = vs.addObject();
            vn.put("version", v);
            ArrayNode rs = vn.putArray("resources");
            for (ResourceType t : types) {
                if (t.group().equals(group) && t.version().equals(v)) {
                    rs.add(aggregatedResource(t));
                }
            }
            vn.put("freshness", "Current");
        }
        return g;
    }

    private static ObjectNode aggregatedResource(ResourceType t) {
        ObjectNode r = F.objectNode();
        r.put("resource", t.plural());
        r.set("responseKind", kind(t.group(), t.version(), t.kind()));
        r.put("scope", t.namespaced() ? "Namespaced" : "Cluster");
        r.put("singularResource", t.singular());
        strings(r.putArray("verbs"), ResourceCatalog.verbs(t));
        if (!t.shortNames().isEmpty()) {
            strings(r.putArray("shortNames"), t.shortNames());
        }
        if (!t.categories().isEmpty()) {
            strings(r.putArray("categories"), t.categories());
        }
        if (!t.subresources().isEmpty()) {
            ArrayNode subs = r.putArray("subresources");
            for (String sub : t.subresources()) {
                Subresource s = subresource(t, sub);
                ObjectNode sn = subs.addObject();
                sn.put("subresource", sub);
                sn.set("responseKind", kind(s.group(), s.version(), s.kind()));
                strings(sn.putArray("verbs"), s.verbs());
            }
        }
        return r;
    }

    private static ObjectNode kind(String group, String version, String kind) {
        ObjectNode k = F.objectNode();
        k.put("group", group);
        k.put("version", version);
        k.put("kind", kind);
        return k;
    }

    private static void strings(ArrayNode into, List<String> values) {
        values.forEach(into::add);
    }

    /**
     * Whether an {@code Accept} header asks for aggregated discovery v2 (parameters in any order,
     * as client-go sends them). v2beta1 alone is not served.
     */
    public static boolean acceptsAggregated(String accept) {
        if (accept == null) {
            return false;
        }
        for (String part : accept.split(",")) {
            Map<String, String> params = new LinkedHashMap<>();
            String[] bits = part.trim().split(";");
            if (!bits[0].trim().equalsIgnoreCase("application/json")) {
                continue;
            }
            for (int i = 1; i < bits.length; i++) {
                String[] kv = bits[i].trim().split("=", 2);
                if (kv.length == 2) {
                    params.put(kv[0].trim(), kv[1].trim());
                }
            }
            if ("apidiscovery.k8s.io".equals(params.get("g")) && "v2".equals(params.get("v"))
                    && "APIGroupDiscoveryList".equals(params.get("as"))) {
                return true;
            }
        }
        return false;
    }

    /** JSON bytes of a document. */
    public static byte[] bytes(ObjectNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (Exception e) {
            throw new IllegalStateException("cannot serialize discovery document", e);
        }
    }
}
