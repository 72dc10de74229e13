package io.dualstack.apiserver.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dualstack.apiserver.http.Json;
import io.dualstack.apiserver.storage.Store;
import io.dualstack.apiserver.validation.ConfigMapValidation;
import io.dualstack.apiserver.validation.MetadataValidation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.StatusCause;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * The generic registry: get/list/create/update/patch/delete/watch for every {@link ResourceType}
 * over a {@link Store}, with upstream's metadata semantics (uid, creationTimestamp, generation,
 * resourceVersion = the store's modification revision, generateName, finalizers,
 * deletionTimestamp, graceful pod deletion, propagation finalizers, namespace termination) and
 * the per-resource {@link ResourceStrategy} hooks. Objects are JSON trees; values are stored
 * without {@code metadata.resourceVersion}, which is filled from the store revision on read.
 */
public final class GenericRegistry {
    public enum Sub { MAIN, STATUS, FINALIZE }

    public record Page(List<ObjectNode> items, long revision, String continueToken) {}

    public record Written(ObjectNode object, boolean created) {}

    /** Result of a delete: the last state of the object and whether it is gone already. */
    public record Deleted(ObjectNode object, boolean gone) {}

    public record DeleteOptions(Optional<Long> gracePeriodSeconds, String propagationPolicy, String preconditionUid,
                                String preconditionResourceVersion, boolean dryRun) {
        public static final DeleteOptions DEFAULT = new DeleteOptions(Optional.empty(), "", "", "", false);
    }

    /** A watch event: type is ADDED, MODIFIED or DELETED; prev is the previous value when the store gave it. */
    public record Change(String type, ObjectNode object, Optional<ObjectNode> prev, long revision) {}

    private static final Set<ResourceType> STATUS_TYPES = Set.of(ResourceCatalog.NAMESPACES, ResourceCatalog.NODES,
            ResourceCatalog.PODS, ResourceCatalog.SERVICES, ResourceCatalog.DEPLOYMENTS, ResourceCatalog.REPLICASETS,
            ResourceCatalog.SERVICECIDRS);
    private static final Set<ResourceType> CLEAR_STATUS_ON_CREATE = Set.of(ResourceCatalog.SERVICES,
            ResourceCatalog.DEPLOYMENTS, ResourceCatalog.REPLICASETS, ResourceCatalog.SERVICECIDRS,
            ResourceCatalog.DAEMONSETS, ResourceCatalog.STATEFULSETS, ResourceCatalog.REPLICATIONCONTROLLERS);
    private static final Set<ResourceType> GENERATION_TYPES = Set.of(ResourceCatalog.DEPLOYMENTS, ResourceCatalog.REPLICASETS,
            ResourceCatalog.NETWORKPOLICIES, ResourceCatalog.ENDPOINTSLICES,
            ResourceCatalog.DAEMONSETS, ResourceCatalog.STATEFULSETS, ResourceCatalog.REPLICATIONCONTROLLERS);
    private static final String GENERATE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
    private static final int MAX_RETRIES = 8;

    private final Store store;
    private final Map<ResourceType, ResourceStrategy<HasMetadata>> strategies = new HashMap<>();
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    @SuppressWarnings("unchecked")
    public GenericRegistry(Store store, Map<ResourceType, ResourceStrategy<?>> strategies, Clock clock) {
        this.store = store;
        this.clock = clock;
        strategies.forEach((t, s) -> this.strategies.put(t, (ResourceStrategy<HasMetadata>) s));
    }

    public Store store() {
        return store;
    }

    /** Gives every strategy the stored objects (allocator rebuild), once before serving. */
    public void startStrategies() {
        StoredObjects stored = new StoredObjects() {
            @Override
            @SuppressWarnings("unchecked")
            public <R extends HasMetadata> List<R> list(ResourceType type) {
                List<R> out = new ArrayList<>();
                for (ObjectNode o : listAll(type, "")) out.add((R) Json.convert(o, type.modelClass()));
                return out;
            }
        };
        strategies.values().forEach(s -> s.start(stored));
    }

    // ---------------------------------------------------------------- reads

    public ObjectNode get(ResourceType t, String ns, String name) {
        requireStored(t);
        return find(t, ns, name).orElseThrow(() -> ApiException.notFound(t, name));
    }

    public Optional<ObjectNode> find(ResourceType t, String ns, String name) {
        requireStored(t);
        return store.get(t.key(ns, name)).map(kv -> decode(kv));
    }

    private static ObjectNode decode(Store.KeyValue kv) {
        ObjectNode o = Json.parseObject(kv.value(), false);
        Json.meta(o).put("resourceVersion", Long.toString(kv.modRevision()));
        return o;
    }

    private String prefix(ResourceType t, String ns) {
        return t.namespaced() && !ns.isEmpty() ? t.keyPrefix() + ns + "/" : t.keyPrefix();
    }

    public List<ObjectNode> listAll(ResourceType t, String ns) {
        requireStored(t);
        return list(t, ns, o -> true, 0, "").items();
    }

    /** Lists objects passing {@code filter}, at most {@code limit} (0: all), continuing from a token. */
    public Page list(ResourceType t, String ns, Predicate<ObjectNode> filter, int limit, String continueToken) {
        requireStored(t);
        String prefix = prefix(t, ns);
        Continue from = Continue.parse(continueToken, prefix, store.compactedRevision());
        String startAfter = from.startAfter();
        long rv = from.revision();
        List<ObjectNode> out = new ArrayList<>();
        long revision = rv;
        String last = null;
        boolean more;
        int chunk = limit <= 0 ? 0 : Math.max(limit, 100);
        while (true) {
            Store.ListResult r = store.list(prefix, startAfter, chunk);
            if (revision == 0) revision = r.revision();
            more = r.more();
            boolean full = false;
            for (Store.KeyValue kv : r.items()) {
                last = kv.key();
                ObjectNode o = decode(kv);
                if (filter.test(o)) {
                    out.add(o);
                    if (limit > 0 && out.size() >= limit) {
                        full = true;
                        break;
                    }
                }
            }
            if (full) {
                more = more || !last.equals(r.items().get(r.items().size() - 1).key());
                break;
            }
            if (!more || r.items().isEmpty()) break;
            startAfter = last;
        }
        if (revision == 0) revision = store.currentRevision();
        String token = "";
        if (limit > 0 && more && last != null) {
            token = Continue.encode(revision, last.substring(prefix.length()));
        }
        return new Page(out, revision, token);
    }

    // ---------------------------------------------------------------- create

    public Written create(ResourceType t, String ns, ObjectNode obj, boolean dryRun) {
        checkKind(t, obj);
        if (t == ResourceCatalog.SELFSUBJECTACCESSREVIEWS) {
            return new Written(io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview.answer(obj), true);
        }
        ObjectNode meta = Json.meta(obj);
        if (t.namespaced()) {
            String bodyNs = Json.text(meta, "namespace");
            if (!bodyNs.isEmpty() && !bodyNs.equals(ns)) {
                throw ApiException.badRequest("the namespace of the provided object does not match the namespace sent on the request");
            }
            meta.put("namespace", ns);
        } else {
            meta.remove("namespace");
        }
        if (!Json.text(meta, "resourceVersion").isEmpty()) {
            throw ApiException.badRequest("resourceVersion should not be set on objects to be created");
        }
        String generateName = Json.text(meta, "generateName");
        boolean generated = Json.text(meta, "name").isEmpty() && !generateName.isEmpty();
        for (int attempt = 0; ; attempt++) {
            ObjectNode candidate = attempt == 0 ? obj : obj.deepCopy();
            ObjectNode m = Json.meta(candidate);
            if (generated) m.put("name", generateName + randomSuffix());
            try {
                return new Written(createOnce(t, ns, candidate, dryRun), true);
            } catch (ApiException e) {
                if (generated && "AlreadyExists".equals(e.status().getReason()) && attempt < MAX_RETRIES) continue;
                throw e;
            }
        }
    }

    private String randomSuffix() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 5; i++) b.append(GENERATE_ALPHABET.charAt(random.nextInt(GENERATE_ALPHABET.length())));
        return b.toString();
    }

    private void checkKind(ResourceType t, ObjectNode obj) {
        String kind = Json.text(obj, "kind"), apiVersion = Json.text(obj, "apiVersion");
        if ((!kind.isEmpty() && !kind.equals(t.kind())) || (!apiVersion.isEmpty() && !apiVersion.equals(t.apiVersion()))) {
            throw ApiException.badRequest("the API version in the data (" + apiVersion + ") does not match the expected API version ("
                    + t.apiVersion() + ")" + (kind.equals(t.kind()) ? "" : " or kind " + kind + " is not " + t.kind()));
        }
        obj.put("kind", t.kind());
        obj.put("apiVersion", t.apiVersion());
    }

    private ObjectNode createOnce(ResourceType t, String ns, ObjectNode obj, boolean dryRun) {
        ObjectNode meta = Json.meta(obj);
        String name = Json.text(meta, "name");
        meta.remove("resourceVersion");
        meta.remove("deletionTimestamp");
        meta.remove("deletionGracePeriodSeconds");
        meta.remove("selfLink");
        meta.put("uid", UUID.randomUUID().toString());
        meta.put("creationTimestamp", now());
        if (GENERATION_TYPES.contains(t)) meta.put("generation", 1);
        else meta.remove("generation");
        if (CLEAR_STATUS_ON_CREATE.contains(t)) obj.remove("status");
        if (t == ResourceCatalog.PODS) {
            obj.remove("status");
            obj.putObject("status").put("phase", "Pending");
        }
        if (t == ResourceCatalog.NAMESPACES) {
            ObjectNode spec = obj.with("spec");
            if (!spec.has("finalizers")) spec.putArray("finalizers").add("kubernetes");
            obj.putObject("status").put("phase", "Active");
        }
        if (t.namespaced()) checkNamespaceAcceptsContent(t, ns, name);
        List<StatusCause> causes = new ArrayList<>(MetadataValidation.validate(t, meta));
        if (t == ResourceCatalog.CONFIGMAPS) causes.addAll(ConfigMapValidation.validate(obj));
        if (!causes.isEmpty()) throw ApiException.invalid(t, name, causes);
        Txn txn = new Txn(dryRun);
        ObjectNode result = obj;
        ResourceStrategy<HasMetadata> s = strategies.get(t);
        if (s != null) {
            HasMetadata typed = Json.convert(obj, t.modelClass());
            try {
                s.prepareForCreate(typed, txn);
                causes.addAll(s.validateCreate(typed));
            } catch (ApiException e) {
                txn.abort();
                throw e;
            } catch (RuntimeException e) {
                txn.abort();
                throw ApiException.internal(String.valueOf(e.getMessage()));
            }
            if (!causes.isEmpty()) {
                txn.abort();
                throw ApiException.invalid(t, name, causes);
            }
            result = Json.tree(typed);
        }
        String key = t.key(ns, name);
        txn.compares.add(Store.Compare.absent(key));
        txn.ops.add(0, new Store.Put(key, storedBytes(result)));
        long rev = txn.commit(() -> {
            throw ApiException.alreadyExists(t, name);
        });
        if (rev > 0) Json.meta(result).put("resourceVersion", Long.toString(rev));
        return result;
    }

    private void checkNamespaceAcceptsContent(ResourceType t, String ns, String name) {
        Optional<ObjectNode> nsObj = find(ResourceCatalog.NAMESPACES, "", ns);
        if (nsObj.isEmpty()) throw ApiException.notFound(ResourceCatalog.NAMESPACES, ns);
        if (nsObj.get().path("metadata").has("deletionTimestamp") || "Terminating".equals(nsObj.get().path("status").path("phase").asText())) {
            throw forbidden(t, name, "unable to create new content in namespace " + ns + " because it is being terminated");
        }
    }

    /** Create-only resources (reviews) have nothing stored: any other verb is 405, as upstream. */
    private static void requireStored(ResourceType t) {
        if (ResourceCatalog.CREATE_ONLY.contains(t)) {
            throw ApiException.methodNotAllowed("the server does not allow this method on the requested resource");
        }
    }

    public static ApiException forbidden(ResourceType t, String name, String why) {
        return new ApiException(new StatusBuilder().withStatus("Failure").withCode(403).withReason("Forbidden")
                .withMessage(t.qualifiedPlural() + " \"" + name + "\" is forbidden: " + why)
                .withNewMetadata().endMetadata()
                .withNewDetails().withName(name).withKind(t.plural()).withGroup(t.group().isEmpty() ? null : t.group()).endDetails()
                .build());
    }

    /**
     * The stored form: no resourceVersion, and {@code kind}, {@code apiVersion}, {@code metadata}
     * first, so that {@link #withResourceVersion} can splice the revision in without parsing.
     */
    static byte[] storedBytes(ObjectNode obj) {
        ObjectNode out = Json.NODES.objectNode();
        for (String f : List.of("kind", "apiVersion", "metadata")) if (obj.has(f)) out.set(f, obj.get(f));
        obj.fields().forEachRemaining(e -> {
            if (!out.has(e.getKey())) out.set(e.getKey(), e.getValue());
        });
        ObjectNode meta = Json.meta(out).deepCopy();
        meta.remove("resourceVersion");
        out.set("metadata", meta);
        return Json.bytes(out);
    }

    private static final byte[] META_KEY = "\"metadata\":{".getBytes(StandardCharsets.UTF_8);

    /**
     * A stored value with {@code metadata.resourceVersion} set to {@code rev}, spliced in after the
     * first {@code "metadata":{} (the top-level one: stored values keep metadata before any nested
     * object); falls back to parsing when the value is not in stored form.
     */
    public static byte[] withResourceVersion(byte[] stored, long rev) {
        int insert = topLevelMetadataBody(stored);
        if (insert < 0) {
            ObjectNode o = Json.parseObject(stored, false);
            Json.meta(o).put("resourceVersion", Long.toString(rev));
            return Json.bytes(o);
        }
        boolean empty = insert < stored.length && stored[insert] == '}';
        byte[] rv = ("\"resourceVersion\":\"" + rev + "\"" + (empty ? "" : ",")).getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[stored.length + rv.length];
        System.arraycopy(stored, 0, out, 0, insert);
        System.arraycopy(rv, 0, out, insert, rv.length);
        System.arraycopy(stored, insert, out, insert + rv.length, stored.length - insert);
        return out;
    }

    /**
     * The index just after the {@code {} of the top-level {@code "metadata"} object in compact
     * JSON, scanning strings and nesting properly; -1 when there is none.
     */
    static int topLevelMetadataBody(byte[] a) {
        int depth = 0;
        boolean inString = false;
        int stringStart = -1;
        for (int i = 0; i < a.length; i++) {
            byte c = a[i];
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                    if (depth == 1 && i - stringStart == 9 && matches(a, stringStart, META_KEY)
                            && i + 2 < a.length && a[i + 1] == ':' && a[i + 2] == '{') {
                        return i + 3;
                    }
                }
                continue;
            }
            if (c == '"') {
                inString = true;
                stringStart = i;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                depth--;
            }
        }
        return -1;
    }

    private static boolean matches(byte[] a, int at, byte[] needle) {
        for (int j = 0; j < 10; j++) if (a[at + j] != needle[j]) return false;
        return true;
    }

    /** The raw stored object (resourceVersion filled), without parsing; empty when absent. */
    public Optional<byte[]> getRaw(ResourceType t, String ns, String name) {
        requireStored(t);
        return store.get(t.key(ns, name)).map(kv -> withResourceVersion(kv.value(), kv.modRevision()));
    }

    /** A page of raw objects (no filtering), for unfiltered lists. */
    public record RawPage(List<byte[]> items, long revision, String continueToken) {}

    public RawPage listRaw(ResourceType t, String ns, int limit, String continueToken) {
        requireStored(t);
        String prefix = prefix(t, ns);
        Continue from = Continue.parse(continueToken, prefix, store.compactedRevision());
        String startAfter = from.startAfter();
        long rv = from.revision();
        Store.ListResult r = store.list(prefix, startAfter, Math.max(0, limit));
        List<byte[]> out = new ArrayList<>(r.items().size());
        String last = null;
        for (Store.KeyValue kv : r.items()) {
            out.add(withResourceVersion(kv.value(), kv.modRevision()));
            last = kv.key();
        }
        long revision = rv != 0 ? rv : r.revision();
        String token = "";
        if (limit > 0 && r.more() && last != null) {
            token = Continue.encode(revision, last.substring(prefix.length()));
        }
        return new RawPage(out, revision, token);
    }

    /**
     * A list continue token, as upstream's: base64url JSON {@code {"v":"meta.k8s.io/v1","rv":N,"start":KEY}}
     * (the revision of the first page and the last key returned, relative to the list prefix).
     */
    private record Continue(String startAfter, long revision) {
        static Continue parse(String token, String prefix, long compactedRevision) {
            if (token.isEmpty()) return new Continue(null, 0);
            Continue c;
            try {
                JsonNode tok = Json.MAPPER.readTree(Base64.getUrlDecoder().decode(token));
                c = new Continue(prefix + tok.path("start").asText(), tok.path("rv").asLong());
            } catch (Exception e) {
                throw ApiException.badRequest("continue key is not valid: " + e.getMessage());
            }
            if (c.revision() < compactedRevision) {
                throw ApiException.gone("The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.");
            }
            return c;
        }

        static String encode(long revision, String startKey) {
            ObjectNode tok = Json.NODES.objectNode();
            tok.put("v", "meta.k8s.io/v1").put("rv", revision).put("start", startKey);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(Json.bytes(tok));
        }
    }

    private String now() {
        return Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /**
     * Stores a bootstrap object as-is if its key is absent (metadata uid/creationTimestamp filled),
     * without admission: strategies see it when {@link #startStrategies()} rebuilds their state.
     * Returns true when it was created.
     */
    public boolean createIfAbsentRaw(ResourceType t, ObjectNode obj) {
        ObjectNode o = obj.deepCopy();
        o.put("kind", t.kind()).put("apiVersion", t.apiVersion());
        ObjectNode m = Json.meta(o);
        m.remove("resourceVersion");
        if (!t.namespaced()) m.remove("namespace");
        if (!m.hasNonNull("uid")) m.put("uid", UUID.randomUUID().toString());
        if (!m.hasNonNull("creationTimestamp")) m.put("creationTimestamp", now());
        String key = t.key(Json.text(m, "namespace"), Json.text(m, "name"));
        return store.txn(List.of(Store.Compare.absent(key)), List.of(new Store.Put(key, storedBytes(o)))).succeeded();
    }

    // ---------------------------------------------------------------- update / patch

    /**
     * Replaces an object (PUT). The body's resourceVersion, when set, must match the stored one (409
     * otherwise); without it the update is unconditional.
     */
    public Written update(ResourceType t, String ns, String name, ObjectNode obj, Sub sub, boolean dryRun) {
        requireStored(t);
        checkKind(t, obj);
        ObjectNode meta = Json.meta(obj);
        String bodyName = Json.text(meta, "name");
        if (!bodyName.isEmpty() && !bodyName.equals(name)) {
            throw ApiException.badRequest("the name of the object (" + bodyName + ") does not match the name on the URL (" + name + ")");
        }
        if (t.namespaced()) {
            String bodyNs = Json.text(meta, "namespace");
            if (!bodyNs.isEmpty() && !bodyNs.equals(ns)) {
                throw ApiException.badRequest("the namespace of the provided object does not match the namespace sent on the request");
            }
        }
        String wantRv = Json.text(meta, "resourceVersion");
        for (int attempt = 0; ; attempt++) {
            Store.KeyValue kv = store.get(t.key(ns, name)).orElseThrow(() -> ApiException.notFound(t, name));
            if (!wantRv.isEmpty() && !wantRv.equals(Long.toString(kv.modRevision()))) throw modified(t, name);
            try {
                return new Written(updateOnce(t, ns, name, decode(kv), obj.deepCopy(), kv.modRevision(), sub, dryRun), false);
            } catch (ConflictRetry r) {
                if (!wantRv.isEmpty() || attempt >= MAX_RETRIES) throw modified(t, name);
            }
        }
    }

    /**
     * Applies {@code mutation} to the current object and writes the result, retrying on concurrent
     * writes unless the mutation pinned a resourceVersion. With {@code createIfAbsent} a missing
     * object is created from {@code mutation} applied to an empty object (server-side apply).
     */
    public Written patch(ResourceType t, String ns, String name, Sub sub, UnaryOperator<ObjectNode> mutation,
                         boolean dryRun, boolean createIfAbsent) {
        requireStored(t);
        for (int attempt = 0; ; attempt++) {
            Optional<Store.KeyValue> kv = store.get(t.key(ns, name));
            if (kv.isEmpty()) {
                if (!createIfAbsent || sub != Sub.MAIN) throw ApiException.notFound(t, name);
                ObjectNode empty = Json.NODES.objectNode();
                Json.meta(empty).put("name", name);
                ObjectNode created = mutation.apply(empty);
                Json.meta(created).put("name", name);
                try {
                    return create(t, ns, created, dryRun);
                } catch (ApiException e) {
                    if ("AlreadyExists".equals(e.status().getReason()) && attempt < MAX_RETRIES) continue;
                    throw e;
                }
            }
            ObjectNode current = decode(kv.get());
            String currentRv = Json.text(current.path("metadata"), "resourceVersion");
            ObjectNode patched = mutation.apply(current.deepCopy());
            if (!patched.isObject()) throw ApiException.badRequest("the patch did not produce an object");
            ObjectNode pm = Json.meta(patched);
            String patchedName = Json.text(pm, "name");
            if (!patchedName.equals(name)) {
                throw ApiException.badRequest("the name of the object (" + patchedName + ") does not match the name on the URL (" + name + ")");
            }
            String rv = Json.text(pm, "resourceVersion");
            boolean pinned = !rv.isEmpty() && !rv.equals(currentRv);
            if (pinned) throw modified(t, name);
            checkKind(t, patched);
            try {
                return new Written(updateOnce(t, ns, name, current, patched, kv.get().modRevision(), sub, dryRun), false);
            } catch (ConflictRetry r) {
                if (attempt >= MAX_RETRIES) throw modified(t, name);
            }
        }
    }

    /**
     * Equal JSON, numbers compared by value: the stored bytes decode {@code 30} as an int node while the typed
     * model's {@code Long terminationGracePeriodSeconds} comes back as a long node, and a no-op write must not
     * bump resourceVersion over that (upstream compares the objects, not their encodings).
     */
    static boolean sameContent(JsonNode a, JsonNode b) {
        return a.equals(NUMBERS_BY_VALUE, b);
    }

    private static final java.util.Comparator<JsonNode> NUMBERS_BY_VALUE = (x, y) -> {
        if (x.equals(y)) return 0;
        if (x.isNumber() && y.isNumber()) return x.decimalValue().compareTo(y.decimalValue());
        return 1;
    };

    private static final class ConflictRetry extends RuntimeException {
        ConflictRetry() {
            super(null, null, false, false);
        }
    }

    public static ApiException modified(ResourceType t, String name) {
        return ApiException.conflict(t, name, "the object has been modified; please apply your changes to the latest version and try again");
    }

    private ObjectNode updateOnce(ResourceType t, String ns, String name, ObjectNode old, ObjectNode incoming, long oldRev,
                                  Sub sub, boolean dryRun) {
        ObjectNode next;
        ObjectNode oldMeta = (ObjectNode) old.get("metadata");
        switch (sub) {
            case STATUS -> {
                next = old.deepCopy();
                if (incoming.has("status")) next.set("status", incoming.get("status"));
                else next.remove("status");
            }
            case FINALIZE -> {
                next = old.deepCopy();
                JsonNode fin = incoming.path("spec").path("finalizers");
                ObjectNode spec = next.with("spec");
                if (fin.isArray()) spec.set("finalizers", fin);
                else spec.remove("finalizers");
            }
            default -> {
                next = incoming;
                if (STATUS_TYPES.contains(t)) {
                    if (old.has("status")) next.set("status", old.get("status"));
                    else next.remove("status");
                }
                if (t == ResourceCatalog.NAMESPACES) {
                    JsonNode oldFin = old.path("spec").path("finalizers");
                    if (oldFin.isArray()) next.with("spec").set("finalizers", oldFin);
                    else if (next.path("spec").isObject()) ((ObjectNode) next.get("spec")).remove("finalizers");
                }
            }
        }
        ObjectNode meta = Json.meta(next);
        // Fields a client cannot change.
        for (String f : List.of("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "namespace")) {
            if (oldMeta.has(f)) meta.set(f, oldMeta.get(f));
            else meta.remove(f);
        }
        meta.put("name", name);
        meta.remove("resourceVersion");
        if (sub == Sub.MAIN && GENERATION_TYPES.contains(t) && specChanged(t, old, next)) {
            meta.put("generation", oldMeta.path("generation").asLong(0) + 1);
        }
        List<StatusCause> causes = new ArrayList<>(MetadataValidation.validate(t, meta));
        if (t == ResourceCatalog.CONFIGMAPS) causes.addAll(ConfigMapValidation.validateUpdate(next, old));
        if (!causes.isEmpty()) throw ApiException.invalid(t, name, causes);
        Txn txn = new Txn(dryRun);
        ObjectNode result = next;
        ResourceStrategy<HasMetadata> s = strategies.get(t);
        if (s != null) {
            HasMetadata typedNew = Json.convert(next, t.modelClass());
            HasMetadata typedOld = Json.convert(old, t.modelClass());
            try {
                s.prepareForUpdate(typedNew, typedOld, txn);
                causes.addAll(s.validateUpdate(typedNew, typedOld));
            } catch (ApiException e) {
                txn.abort();
                throw e;
            } catch (RuntimeException e) {
                txn.abort();
                throw ApiException.internal(String.valueOf(e.getMessage()));
            }
            if (!causes.isEmpty()) {
                txn.abort();
                throw ApiException.invalid(t, name, causes);
            }
            result = Json.tree(typedNew);
        }
        String key = t.key(ns, name);
        if (readyToRemove(t, result)) {
            if (s != null) s.prepareForDelete(Json.convert(result, t.modelClass()), txn);
            txn.compares.add(new Store.Compare(key, oldRev));
            txn.ops.add(0, new Store.Delete(key));
            txn.commit(() -> {
                throw new ConflictRetry();
            });
            Json.meta(result).put("resourceVersion", Long.toString(oldRev));
            return result;
        }
        ObjectNode oldCmp = old.deepCopy();
        Json.meta(oldCmp).remove("resourceVersion");
        if (sameContent(oldCmp, result) && txn.ops.isEmpty()) {
            txn.abort();
            Json.meta(result).put("resourceVersion", Long.toString(oldRev));
            return result;
        }
        txn.compares.add(new Store.Compare(key, oldRev));
        txn.ops.add(0, new Store.Put(key, storedBytes(result)));
        long rev = txn.commit(() -> {
            throw new ConflictRetry();
        });
        Json.meta(result).put("resourceVersion", Long.toString(rev > 0 ? rev : oldRev));
        return result;
    }

    private static boolean specChanged(ResourceType t, ObjectNode old, ObjectNode next) {
        if (t == ResourceCatalog.ENDPOINTSLICES) {
            ObjectNode a = old.deepCopy(), b = next.deepCopy();
            a.remove("metadata");
            b.remove("metadata");
            return !a.equals(b);
        }
        return !old.path("spec").equals(next.path("spec"));
    }

    /** An object being deleted whose finalizers are all gone (and grace period over) leaves storage. */
    private static boolean readyToRemove(ResourceType t, ObjectNode obj) {
        JsonNode meta = obj.path("metadata");
        if (!meta.has("deletionTimestamp")) return false;
        if (meta.path("finalizers").isArray() && meta.path("finalizers").size() > 0) return false;
        if (t == ResourceCatalog.NAMESPACES) {
            JsonNode sf = obj.path("spec").path("finalizers");
            return !(sf.isArray() && sf.size() > 0);
        }
        return meta.path("deletionGracePeriodSeconds").asLong(0) == 0;
    }

    // ---------------------------------------------------------------- delete

    public Deleted delete(ResourceType t, String ns, String name, DeleteOptions opts) {
        requireStored(t);
        for (int attempt = 0; ; attempt++) {
            Store.KeyValue kv = store.get(t.key(ns, name)).orElseThrow(() -> ApiException.notFound(t, name));
            ObjectNode cur = decode(kv);
            ObjectNode meta = Json.meta(cur);
            if (!opts.preconditionUid().isEmpty() && !opts.preconditionUid().equals(Json.text(meta, "uid"))) {
                throw ApiException.conflict(t, name, "Precondition failed: UID in precondition: " + opts.preconditionUid()
                        + ", UID in object meta: " + Json.text(meta, "uid"));
            }
            if (!opts.preconditionResourceVersion().isEmpty() && !opts.preconditionResourceVersion().equals(Json.text(meta, "resourceVersion"))) {
                throw ApiException.conflict(t, name, "Precondition failed: ResourceVersion in precondition: " + opts.preconditionResourceVersion()
                        + ", ResourceVersion in object meta: " + Json.text(meta, "resourceVersion"));
            }
            try {
                return deleteOnce(t, ns, name, cur, kv.modRevision(), opts);
            } catch (ConflictRetry r) {
                if (attempt >= MAX_RETRIES) throw modified(t, name);
            }
        }
    }

    private Deleted deleteOnce(ResourceType t, String ns, String name, ObjectNode cur, long rev, DeleteOptions opts) {
        ObjectNode next = cur.deepCopy();
        ObjectNode meta = Json.meta(next);
        boolean alreadyDeleting = meta.has("deletionTimestamp");
        if (t == ResourceCatalog.NAMESPACES) {
            if (alreadyDeleting) {
                throw ApiException.conflict(t, name, "The system is ensuring all content is removed from this namespace.  Upon completion, this namespace will automatically be purged by the system.");
            }
            meta.put("deletionTimestamp", now());
            meta.put("deletionGracePeriodSeconds", 0);
            next.with("status").put("phase", "Terminating");
        }
        // Propagation policy finalizers, as upstream's updateForGracefulDeletionAndFinalizers.
        String policy = opts.propagationPolicy();
        if (policy.equals("Foreground") || policy.equals("Orphan")) {
            String fin = policy.equals("Foreground") ? "foregroundDeletion" : "orphan";
            String other = policy.equals("Foreground") ? "orphan" : "foregroundDeletion";
            ArrayNode fins = meta.has("finalizers") && meta.get("finalizers").isArray() ? (ArrayNode) meta.get("finalizers") : meta.putArray("finalizers");
            for (int i = fins.size() - 1; i >= 0; i--) if (fins.get(i).asText().equals(other)) fins.remove(i);
            boolean has = false;
            for (JsonNode f : fins) if (f.asText().equals(fin)) has = true;
            if (!has) fins.add(fin);
        }
        long grace = 0;
        if (t == ResourceCatalog.PODS) {
            grace = opts.gracePeriodSeconds().orElse(next.path("spec").path("terminationGracePeriodSeconds").asLong(30));
            String phase = next.path("status").path("phase").asText("");
            if (next.path("spec").path("nodeName").asText("").isEmpty() || phase.equals("Succeeded") || phase.equals("Failed")) grace = 0;
            if (alreadyDeleting) grace = Math.min(grace, meta.path("deletionGracePeriodSeconds").asLong(0));
        }
        boolean hasFinalizers = meta.path("finalizers").isArray() && meta.path("finalizers").size() > 0;
        boolean nsPending = t == ResourceCatalog.NAMESPACES && next.path("spec").path("finalizers").isArray() && next.path("spec").path("finalizers").size() > 0;
        if (grace > 0 || hasFinalizers || nsPending) {
            if (!meta.has("deletionTimestamp") || grace < meta.path("deletionGracePeriodSeconds").asLong(Long.MAX_VALUE)) {
                meta.put("deletionTimestamp", Instant.now(clock).plusSeconds(grace).truncatedTo(ChronoUnit.SECONDS).toString());
                meta.put("deletionGracePeriodSeconds", grace);
            }
            if (GENERATION_TYPES.contains(t) && !alreadyDeleting) meta.put("generation", meta.path("generation").asLong(0) + 1);
            ObjectNode oldCmp = cur.deepCopy();
            if (oldCmp.equals(next)) return new Deleted(cur, false);
            Txn txn = new Txn(opts.dryRun());
            String key = t.key(ns, name);
            txn.compares.add(new Store.Compare(key, rev));
            txn.ops.add(new Store.Put(key, storedBytes(next)));
            long newRev = txn.commit(() -> {
                throw new ConflictRetry();
            });
            if (newRev > 0) meta.put("resourceVersion", Long.toString(newRev));
            return new Deleted(next, false);
        }
        Txn txn = new Txn(opts.dryRun());
        ResourceStrategy<HasMetadata> s = strategies.get(t);
        if (s != null) {
            try {
                s.prepareForDelete(Json.convert(cur, t.modelClass()), txn);
            } catch (RuntimeException e) {
                txn.abort();
                throw e instanceof ApiException a ? a : ApiException.internal(String.valueOf(e.getMessage()));
            }
        }
        String key = t.key(ns, name);
        txn.compares.add(new Store.Compare(key, rev));
        txn.ops.add(0, new Store.Delete(key));
        txn.commit(() -> {
            throw new ConflictRetry();
        });
        return new Deleted(cur, true);
    }

    // ---------------------------------------------------------------- watch

    /**
     * Streams changes of {@code t} (in {@code ns}, or everywhere when empty) after {@code fromRevision}.
     *
     * @throws Store.CompactedException when the revision is older than the kept history
     */
    public Store.Watch watch(ResourceType t, String ns, long fromRevision, Consumer<Change> sink) throws Store.CompactedException {
        requireStored(t);
        return store.watch(prefix(t, ns), fromRevision, ev -> {
            if (ev.type() == Store.EventType.PUT) {
                ObjectNode o = decode(ev.kv());
                Optional<ObjectNode> prev = Optional.ofNullable(ev.prevKv()).map(GenericRegistry::decode);
                boolean added = ev.kv().createRevision() == ev.kv().modRevision();
                sink.accept(new Change(added ? "ADDED" : "MODIFIED", o, prev, ev.revision()));
            } else {
                if (ev.prevKv() == null) return;
                ObjectNode o = decode(ev.prevKv());
                Json.meta(o).put("resourceVersion", Long.toString(ev.revision()));
                sink.accept(new Change("DELETED", o, Optional.of(o), ev.revision()));
            }
        });
    }

    /** A watch event as bytes (resourceVersion filled): ADDED, MODIFIED or DELETED. */
    public record RawChange(String type, byte[] object, long revision) {}

    /** Like {@link #watch} without decoding (unfiltered watches write the stored bytes through). */
    public Store.Watch watchRaw(ResourceType t, String ns, long fromRevision, Consumer<RawChange> sink) throws Store.CompactedException {
        requireStored(t);
        return store.watch(prefix(t, ns), fromRevision, ev -> {
            if (ev.type() == Store.EventType.PUT) {
                boolean added = ev.kv().createRevision() == ev.kv().modRevision();
                sink.accept(new RawChange(added ? "ADDED" : "MODIFIED", withResourceVersion(ev.kv().value(), ev.kv().modRevision()), ev.revision()));
            } else if (ev.prevKv() != null) {
                sink.accept(new RawChange("DELETED", withResourceVersion(ev.prevKv().value(), ev.revision()), ev.revision()));
            }
        });
    }

    // ---------------------------------------------------------------- transactions

    /** An admission context collecting staged writes for one store transaction. */
    private final class Txn implements AdmissionContext {
        final boolean dryRun;
        final List<Store.Compare> compares = new ArrayList<>();
        final List<Store.Op> ops = new ArrayList<>();
        final List<Runnable> commitActions = new ArrayList<>();
        final List<Runnable> abortActions = new ArrayList<>();
        final Map<String, Boolean> stagedKeys = new LinkedHashMap<>();

        Txn(boolean dryRun) {
            this.dryRun = dryRun;
        }

        @Override
        public boolean dryRun() {
            return dryRun;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <R extends HasMetadata> Optional<R> get(ResourceType type, String namespace, String name) {
            return find(type, namespace == null ? "" : namespace, name).map(o -> (R) Json.convert(o, type.modelClass()));
        }

        @Override
        @SuppressWarnings("unchecked")
        public <R extends HasMetadata> List<R> list(ResourceType type, String namespace) {
            List<R> out = new ArrayList<>();
            for (ObjectNode o : listAll(type, namespace == null ? "" : namespace)) out.add((R) Json.convert(o, type.modelClass()));
            return out;
        }

        @Override
        public void stageCreate(ResourceType type, HasMetadata obj) {
            ObjectNode o = Json.tree(obj);
            o.put("kind", type.kind()).put("apiVersion", type.apiVersion());
            ObjectNode m = Json.meta(o);
            m.remove("resourceVersion");
            if (!m.has("uid")) m.put("uid", UUID.randomUUID().toString());
            if (!m.has("creationTimestamp")) m.put("creationTimestamp", now());
            String key = type.key(Json.text(m, "namespace"), Json.text(m, "name"));
            compares.add(Store.Compare.absent(key));
            ops.add(new Store.Put(key, storedBytes(o)));
        }

        @Override
        public void stageUpdate(ResourceType type, HasMetadata obj) {
            ObjectNode o = Json.tree(obj);
            o.put("kind", type.kind()).put("apiVersion", type.apiVersion());
            Json.meta(o).remove("resourceVersion");
            ObjectNode m = Json.meta(o);
            ops.add(new Store.Put(type.key(Json.text(m, "namespace"), Json.text(m, "name")), storedBytes(o)));
        }

        @Override
        public void stageDelete(ResourceType type, String namespace, String name) {
            String key = type.key(namespace == null ? "" : namespace, name);
            if (store.get(key).isPresent()) ops.add(new Store.Delete(key));
        }

        @Override
        public void onCommit(Runnable action) {
            commitActions.add(action);
        }

        @Override
        public void onAbort(Runnable action) {
            abortActions.add(action);
        }

        void abort() {
            for (Runnable r : abortActions) r.run();
            abortActions.clear();
        }

        /** Commits (returns the revision), or aborts for a dry run (returns 0); a failed compare runs {@code onFailedCompare}. */
        long commit(Runnable onFailedCompare) {
            if (dryRun) {
                abort();
                return 0;
            }
            Store.TxnResult r;
            try {
                r = store.txn(compares, ops);
            } catch (RuntimeException e) {
                abort();
                throw ApiException.internal("storage error: " + e.getMessage());
            }
            if (!r.succeeded()) {
                abort();
                onFailedCompare.run();
                throw ApiException.internal("transaction failed");
            }
            for (Runnable c : commitActions) c.run();
            return r.revision();
        }
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
