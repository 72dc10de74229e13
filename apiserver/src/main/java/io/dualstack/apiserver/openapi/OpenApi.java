package io.dualstack.apiserver.openapi;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dualstack.apiserver.registry.ResourceCatalog;
import io.dualstack.apiserver.registry.ResourceType;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * OpenAPI documents for the served resources: the v3 index ({@code GET /openapi/v3}), one v3
 * document per group-version ({@code GET /openapi/v3/api/v1}, {@code /openapi/v3/apis/apps/v1}) and
 * the v2 document ({@code GET /openapi/v2}, JSON). Schemas are generated from the fabric8 model
 * ({@link SchemaGenerator}); paths follow kube-apiserver's, and every kind's PATCH operation carries
 * {@code x-kubernetes-group-version-kind} and the {@code fieldValidation} query parameter, which is
 * what lets kubectl's {@code --validate=strict} leave validation to the server. Documents are built
 * once per instance; pure, no I/O.
 */
public final class OpenApi {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Kubernetes version these documents describe. */
    public static final String KUBERNETES_VERSION = "v1.32.0";

    private final List<ResourceType> types;
    private final Map<String, ObjectNode> v3Docs = new LinkedHashMap<>();
    private final Map<String, String> v3Hashes = new LinkedHashMap<>();
    private final ObjectNode v2;

    public OpenApi(List<ResourceType> types) {
        this.types = List.copyOf(types);
        Map<String, List<ResourceType>> byGv = new LinkedHashMap<>();
        for (ResourceType t : this.types) {
            byGv.computeIfAbsent(gvPath(t), k -> new java.util.ArrayList<>()).add(t);
        }
        byGv.forEach((gv, ts) -> {
            ObjectNode doc = document(ts, true);
            v3Docs.put(gv, doc);
            v3Hashes.put(gv, hash(bytes(doc)));
        });
        this.v2 = document(this.types, false);
    }

    /** Documents for every served resource. */
    public static OpenApi served() {
        return new OpenApi(ResourceCatalog.ALL);
    }

    /** {@code api/v1} or {@code apis/apps/v1}: the key of a v3 document, as in the index. */
    public static String gvPath(ResourceType t) {
        return t.groupVersionPath().substring(1);
    }

    /**
     * {@code GET /openapi/v3}: {@code {"paths":{"api/v1":{"serverRelativeURL":"/openapi/v3/api/v1?hash=…"}}}}.
     * The hash changes whenever the document does, so clients may cache by URL.
     */
    public ObjectNode v3Index() {
        ObjectNode root = F.objectNode();
        ObjectNode paths = root.putObject("paths");
        v3Hashes.forEach((gv, h) -> paths.putObject(gv).put("serverRelativeURL", "/openapi/v3/" + gv + "?hash=" + h));
        return root;
    }

    /** The v3 document for {@code api/v1} / {@code apis/G/V} (without leading slash or query), if served. */
    public Optional<ObjectNode> v3Document(String gvPath) {
        String key = gvPath.startsWith("/") ? gvPath.substring(1) : gvPath;
        int q = key.indexOf('?');
        if (q >= 0) {
            key = key.substring(0, q);
        }
        return Optional.ofNullable(v3Docs.get(key));
    }

    /** The hash the index advertises for a document (its ETag). */
    public Optional<String> v3Hash(String gvPath) {
        return Optional.ofNullable(v3Hashes.get(gvPath));
    }

    /** {@code GET /openapi/v2} as JSON (Swagger 2.0). */
    public ObjectNode v2() {
        return v2;
    }

    public static byte[] bytes(ObjectNode doc) {
        try {
            return JSON.writeValueAsBytes(doc);
        } catch (Exception e) {
            throw new IllegalStateException("cannot serialize OpenAPI document", e);
        }
    }

    private static String hash(byte[] data) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-512").digest(data);
            return HexFormat.of().withUpperCase().formatHex(d, 0, 32);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------ documents

    private ObjectNode document(List<ResourceType> ts, boolean v3) {
        SchemaGenerator gen = new SchemaGenerator(v3 ? "#/components/schemas/" : "#/definitions/");
        gen.addCommon();
        ObjectNode doc = F.objectNode();
        if (v3) {
            doc.put("openapi", "3.0.0");
        } else {
            doc.put("swagger", "2.0");
        }
        doc.putObject("info").put("title", "Kubernetes").put("version", KUBERNETES_VERSION);
        ObjectNode paths = doc.putObject("paths");
        for (ResourceType t : ts) {
            gen.addKind(t);
            addPaths(paths, t, gen, v3);
        }
        ObjectNode defs = v3 ? doc.putObject("components").putObject("schemas") : doc.putObject("definitions");
        gen.definitions().forEach(defs::set);
        return doc;
    }

    private static String opSuffix(ResourceType t) {
        String g = t.group().isEmpty() ? "Core" : capital(t.group().split("\\.")[0]);
        return g + capital(t.version());
    }

    private static String capital(String s) {
        return s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1);
    }

    private void addPaths(ObjectNode paths, ResourceType t, SchemaGenerator gen, boolean v3) {
        String kindDef = SchemaGenerator.definitionName(t.modelClass());
        String listDef = kindDef + "List";
        String base = t.groupVersionPath();
        String sfx = opSuffix(t);
        String ns = t.namespaced() ? "Namespaced" : "";
        String collection = t.namespaced() ? base + "/namespaces/{namespace}/" + t.plural() : base + "/" + t.plural();
        String item = collection + "/{name}";

        ObjectNode coll = paths.putObject(collection);
        coll.set("get", op(v3, gen, t, "list", "list" + sfx + ns + t.kind(), listDef, null, LIST_PARAMS));
        coll.set("post", op(v3, gen, t, "post", "create" + sfx + ns + t.kind(), kindDef, kindDef, WRITE_PARAMS));
        coll.set("delete", op(v3, gen, t, "deletecollection", "deletecollection" + sfx + ns + t.kind(),
                "io.k8s.apimachinery.pkg.apis.meta.v1.Status", "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions", DELETE_COLLECTION_PARAMS));
        coll.set("parameters", pathParams(v3, t.namespaced(), false));

        ObjectNode one = paths.putObject(item);
        one.set("get", op(v3, gen, t, "get", "read" + sfx + ns + t.kind(), kindDef, null, List.of()));
        one.set("put", op(v3, gen, t, "put", "replace" + sfx + ns + t.kind(), kindDef, kindDef, WRITE_PARAMS));
        one.set("patch", op(v3, gen, t, "patch", "patch" + sfx + ns + t.kind(), kindDef, PATCH, PATCH_PARAMS));
        one.set("delete", op(v3, gen, t, "delete", "delete" + sfx + ns + t.kind(),
                "io.k8s.apimachinery.pkg.apis.meta.v1.Status", "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions", DELETE_PARAMS));
        one.set("parameters", pathParams(v3, t.namespaced(), true));

        if (t.namespaced()) {
            ObjectNode all = paths.putObject(base + "/" + t.plural());
            all.set("get", op(v3, gen, t, "list", "list" + sfx + t.kind() + "ForAllNamespaces", listDef, null, LIST_PARAMS));
        }
        if (t.subresources().contains("status")) {
            ObjectNode st = paths.putObject(item + "/status");
            st.set("get", op(v3, gen, t, "get", "read" + sfx + ns + t.kind() + "Status", kindDef, null, List.of()));
            st.set("put", op(v3, gen, t, "put", "replace" + sfx + ns + t.kind() + "Status", kindDef, kindDef, WRITE_PARAMS));
            st.set("patch", op(v3, gen, t, "patch", "patch" + sfx + ns + t.kind() + "Status", kindDef, PATCH, PATCH_PARAMS));
            st.set("parameters", pathParams(v3, t.namespaced(), true));
        }
    }

    private static final String PATCH = "io.k8s.apimachinery.pkg.apis.meta.v1.Patch";
    private static final List<String> PATCH_TYPES = List.of("application/apply-patch+yaml", "application/json-patch+json",
            "application/merge-patch+json", "application/strategic-merge-patch+json");

    /** Query parameters: name → description. */
    private static final List<String[]> LIST_PARAMS = List.of(
            new String[] {"allowWatchBookmarks", "boolean", "allowWatchBookmarks requests watch events with type \"BOOKMARK\"."},
            new String[] {"continue", "string", "The continue option should be set when retrieving more results from the server."},
            new String[] {"fieldSelector", "string", "A selector to restrict the list of returned objects by their fields."},
            new String[] {"labelSelector", "string", "A selector to restrict the list of returned objects by their labels."},
            new String[] {"limit", "integer", "limit is a maximum number of responses to return for a list call."},
            new String[] {"resourceVersion", "string", "resourceVersion sets a constraint on what resource versions a request may be served from."},
            new String[] {"timeoutSeconds", "integer", "Timeout for the list/watch call."},
            new String[] {"watch", "boolean", "Watch for changes to the described resources and return them as a stream of add, update, and remove notifications."});
    private static final String[] DRY_RUN = {"dryRun", "string", "When present, indicates that modifications should not be persisted. Valid value: All."};
    private static final String[] FIELD_MANAGER = {"fieldManager", "string", "fieldManager is a name associated with the actor or entity that is making these changes."};
    private static final String[] FIELD_VALIDATION = {"fieldValidation", "string",
            "fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields. Valid values are: Ignore, Warn, Strict."};
    private static final List<String[]> WRITE_PARAMS = List.of(DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION);
    private static final List<String[]> PATCH_PARAMS = List.of(DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION,
            new String[] {"force", "boolean", "Force is going to \"force\" Apply requests. It must be unset for non-apply patch requests."});
    private static final List<String[]> DELETE_PARAMS = List.of(DRY_RUN,
            new String[] {"gracePeriodSeconds", "integer", "The duration in seconds before the object should be deleted."},
            new String[] {"propagationPolicy", "string", "Whether and how garbage collection will be performed: Orphan, Background, Foreground."});
    private static final List<String[]> DELETE_COLLECTION_PARAMS;

    static {
        List<String[]> dc = new java.util.ArrayList<>(LIST_PARAMS);
        dc.addAll(DELETE_PARAMS);
        DELETE_COLLECTION_PARAMS = List.copyOf(dc);
    }

    private static ObjectNode param(boolean v3, String name, String in, String type, String description, boolean required) {
        ObjectNode p = F.objectNode();
        p.put("name", name);
        p.put("in", in);
        p.put("description", description);
        if (required) {
            p.put("required", true);
        }
        if (v3) {
            p.putObject("schema").put("type", type).put("uniqueItems", true);
        } else {
            p.put("type", type);
            p.put("uniqueItems", true);
        }
        return p;
    }

    private static ArrayNode pathParams(boolean v3, boolean namespaced, boolean named) {
        ArrayNode a = F.arrayNode();
        if (named) {
            a.add(param(v3, "name", "path", "string", "name of the resource", true));
        }
        if (namespaced) {
            a.add(param(v3, "namespace", "path", "string", "object name and auth scope, such as for teams and projects", true));
        }
        a.add(param(v3, "pretty", "query", "string", "If 'true', then the output is pretty printed.", false));
        return a;
    }

    private static ObjectNode op(boolean v3, SchemaGenerator gen, ResourceType t, String action, String operationId,
                                 String responseDef, String bodyDef, List<String[]> query) {
        ObjectNode op = F.objectNode();
        op.put("description", action + " " + t.kind());
        op.put("operationId", operationId);
        op.putArray("tags").add(opSuffix(t).substring(0, 1).toLowerCase(Locale.ROOT) + opSuffix(t).substring(1));
        ArrayNode params = op.putArray("parameters");
        for (String[] q : query) {
            params.add(param(v3, q[0], "query", q[1], q[2], false));
        }
        List<String> consumes = PATCH.equals(bodyDef) ? PATCH_TYPES : List.of("application/json", "application/yaml");
        List<String> produces = List.of("application/json", "application/yaml");
        if (v3) {
            if (bodyDef != null) {
                ObjectNode body = op.putObject("requestBody");
                ObjectNode content = body.putObject("content");
                for (String c : consumes) {
                    content.putObject(c).set("schema", gen.ref(bodyDef));
                }
                body.put("required", !"deletecollection".equals(action) && !"delete".equals(action));
            }
            ObjectNode responses = op.putObject("responses");
            ObjectNode ok = responses.putObject("200");
            ok.put("description", "OK");
            ObjectNode content = ok.putObject("content");
            for (String c : produces) {
                content.putObject(c).set("schema", gen.ref(responseDef));
            }
            if (action.equals("post")) {
                ObjectNode created = responses.putObject("201");
                created.put("description", "Created");
                created.putObject("content").putObject("application/json").set("schema", gen.ref(responseDef));
            }
            responses.putObject("401").put("description", "Unauthorized");
        } else {
            ArrayNode c = op.putArray("consumes");
            consumes.forEach(c::add);
            ArrayNode p = op.putArray("produces");
            produces.forEach(p::add);
            op.putArray("schemes").add("https");
            if (bodyDef != null) {
                ObjectNode body = params.insertObject(0);
                body.put("name", "body");
                body.put("in", "body");
                body.put("required", !"deletecollection".equals(action) && !"delete".equals(action));
                body.set("schema", gen.ref(bodyDef));
            }
            ObjectNode responses = op.putObject("responses");
            responses.putObject("200").put("description", "OK").set("schema", gen.ref(responseDef));
            responses.putObject("401").put("description", "Unauthorized");
        }
        op.put("x-kubernetes-action", action);
        ObjectNode gvk = op.putObject("x-kubernetes-group-version-kind");
        gvk.put("group", t.group());
        gvk.put("kind", t.kind());
        gvk.put("version", t.version());
        return op;
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
