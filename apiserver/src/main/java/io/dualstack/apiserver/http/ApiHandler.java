package io.dualstack.apiserver.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dualstack.apiserver.auth.TokenAuthenticator;
import io.dualstack.apiserver.patch.JsonPatch;
import io.dualstack.apiserver.patch.MergePatch;
import io.dualstack.apiserver.patch.ServerSideApply;
import io.dualstack.apiserver.patch.StrategicMergePatch;
import io.dualstack.apiserver.registry.ApiException;
import io.dualstack.apiserver.registry.GenericRegistry;
import io.dualstack.apiserver.registry.GenericRegistry.Sub;
import io.dualstack.apiserver.registry.ResourceCatalog;
import io.dualstack.apiserver.registry.ResourceType;
import io.dualstack.apiserver.selectors.FieldSelector;
import io.dualstack.apiserver.selectors.LabelSelector;
import io.dualstack.apiserver.storage.Store;
import io.dualstack.apiserver.validation.UnknownFields;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.javalin.http.Context;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * Every HTTP request of the API server: authentication, the resource verbs over the
 * {@link GenericRegistry}, watch streaming, patch types, content negotiation for tables, and
 * mounted {@link Endpoint}s (discovery, OpenAPI). Every failure is answered with a {@code Status}.
 */
public final class ApiHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);
    private static final Set<String> UNAUTHENTICATED = Set.of("/healthz", "/livez", "/readyz", "/version");
    private static final long BOOKMARK_INTERVAL_MS = 30_000;

    private final GenericRegistry registry;
    private final TokenAuthenticator auth;
    private final List<Endpoint> endpoints;
    private final UnknownFields unknownFields = new UnknownFields(Json.MAPPER);
    private volatile Tables.RowPrinter printer = Tables.DEFAULT;
    private volatile boolean ready;
    private final byte[] version;

    public ApiHandler(GenericRegistry registry, TokenAuthenticator auth, List<Endpoint> endpoints) {
        this.registry = registry;
        this.auth = auth;
        this.endpoints = endpoints;
        ObjectNode v = Json.NODES.objectNode();
        v.put("major", "1").put("minor", "32").put("emulationMajor", "1").put("emulationMinor", "32")
                .put("gitVersion", "v1.32.0-dualstack").put("gitCommit", "0000000000000000000000000000000000000000")
                .put("gitTreeState", "clean").put("buildDate", "2026-01-01T00:00:00Z").put("goVersion", "java" + Runtime.version().feature())
                .put("compiler", "javac").put("platform", "linux/amd64");
        this.version = Json.bytes(v);
    }

    public void setPrinter(Tables.RowPrinter p) {
        this.printer = p;
    }

    public void setReady(boolean r) {
        this.ready = r;
    }

    public void handle(Context ctx) {
        String path = ctx.path();
        try {
            String base = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
            if (isHealth(base)) {
                if (base.startsWith("/readyz") && !ready) {
                    raw(ctx, 500, "text/plain; charset=utf-8", "[-]ready failed: not ready yet\nreadyz check failed".getBytes(StandardCharsets.UTF_8));
                } else {
                    raw(ctx, 200, "text/plain; charset=utf-8", "ok".getBytes(StandardCharsets.UTF_8));
                }
                return;
            }
            if (base.equals("/version")) {
                raw(ctx, 200, "application/json", version);
                return;
            }
            if (!auth.authenticate(ctx.header("Authorization"))) {
                status(ctx, unauthorized());
                return;
            }
            String method = ctx.method().name();
            Optional<RequestPath> rp = RequestPath.parse(base);
            if (rp.isPresent()) {
                resource(ctx, method, rp.get());
                return;
            }
            if (method.equals("GET")) {
                String accept = Optional.ofNullable(ctx.header("Accept")).orElse("");
                for (Endpoint e : endpoints) {
                    Optional<Reply> r = e.get(base, accept, ctx.queryParamMap());
                    if (r.isPresent()) {
                        r.get().headers().forEach(ctx::header);
                        raw(ctx, r.get().status(), r.get().contentType(), r.get().body());
                        return;
                    }
                }
            }
            status(ctx, notFoundPath());
        } catch (ApiException e) {
            status(ctx, e.status());
        } catch (RuntimeException e) {
            LOG.warn("internal error serving {} {}", ctx.method(), path, e);
            status(ctx, ApiException.internal(e.getClass().getSimpleName() + ": " + e.getMessage()).status());
        }
    }

    private static boolean isHealth(String p) {
        return p.equals("/healthz") || p.equals("/livez") || p.equals("/readyz")
                || p.startsWith("/healthz/") || p.startsWith("/livez/") || p.startsWith("/readyz/");
    }

    static boolean unauthenticatedPath(String p) {
        return UNAUTHENTICATED.contains(p);
    }

    private static Status unauthorized() {
        return new StatusBuilder().withStatus("Failure").withMessage("Unauthorized").withReason("Unauthorized").withCode(401)
                .withNewMetadata().endMetadata().build();
    }

    private static Status notFoundPath() {
        return new StatusBuilder().withStatus("Failure").withMessage("the server could not find the requested resource")
                .withReason("NotFound").withCode(404).withNewDetails().endDetails().withNewMetadata().endMetadata().build();
    }

    // ------------------------------------------------------------------ resources

    private void resource(Context ctx, String method, RequestPath rp) {
        ResourceType t = rp.type();
        String sub = rp.subresource();
        if (!sub.isEmpty() && !t.subresources().contains(sub)) throw notFound();
        if (!sub.isEmpty() && !List.of("status", "scale", "finalize").contains(sub)) {
            throw ApiException.methodNotAllowed("the server does not allow this method on the requested resource");
        }
        boolean dryRun = dryRun(ctx);
        switch (method) {
            case "GET" -> {
                if (rp.name().isEmpty()) {
                    if (isWatch(ctx)) watch(ctx, rp);
                    else list(ctx, rp);
                } else if (sub.equals("scale")) {
                    json(ctx, 200, Scale.of(t, registry.get(t, rp.namespace(), rp.name())));
                } else if (!wantsTable(ctx)) {
                    byte[] o = registry.getRaw(t, rp.namespace(), rp.name()).orElseThrow(() -> ApiException.notFound(t, rp.name()));
                    raw(ctx, 200, "application/json", o);
                } else {
                    ObjectNode o = registry.get(t, rp.namespace(), rp.name());
                    if (wantsTable(ctx)) {
                        json(ctx, 200, Tables.table(printer, t, List.of(o), Json.text(o.path("metadata"), "resourceVersion"), "",
                                includeObject(ctx), true));
                    } else {
                        json(ctx, 200, o);
                    }
                }
            }
            case "POST" -> {
                if (!rp.name().isEmpty()) throw ApiException.methodNotAllowed("the server does not allow this method on the requested resource");
                if (t.namespaced() && rp.namespace().isEmpty()) {
                    throw ApiException.methodNotAllowed("the server does not allow this method on the requested resource");
                }
                ObjectNode body = body(ctx);
                checkFields(ctx, t, body);
                GenericRegistry.Written w = registry.create(t, rp.namespace(), body, dryRun);
                json(ctx, 201, w.object());
            }
            case "PUT" -> {
                if (rp.name().isEmpty()) throw ApiException.methodNotAllowed("the server does not allow this method on the requested resource");
                ObjectNode body = body(ctx);
                if (sub.equals("scale")) {
                    json(ctx, 200, scaleWrite(rp, cur -> body, dryRun));
                    return;
                }
                checkFields(ctx, t, body);
                GenericRegistry.Written w = registry.update(t, rp.namespace(), rp.name(), body, sub(sub), dryRun);
                json(ctx, 200, w.object());
            }
            case "PATCH" -> {
                if (rp.name().isEmpty()) throw ApiException.methodNotAllowed("the server does not allow this method on the requested resource");
                patch(ctx, rp, dryRun);
            }
            case "DELETE" -> {
                if (!sub.isEmpty()) throw ApiException.methodNotAllowed("the server does not allow this method on the requested resource");
                GenericRegistry.DeleteOptions opts = deleteOptions(ctx, dryRun);
                if (rp.name().isEmpty()) {
                    deleteCollection(ctx, rp, opts);
                    return;
                }
                GenericRegistry.Deleted d = registry.delete(t, rp.namespace(), rp.name(), opts);
                if (d.gone() && t != ResourceCatalog.PODS) {
                    ObjectNode st = Json.NODES.objectNode();
                    st.put("kind", "Status").put("apiVersion", "v1").putObject("metadata");
                    st.put("status", "Success");
                    ObjectNode det = st.putObject("details");
                    det.put("name", rp.name());
                    if (!t.group().isEmpty()) det.put("group", t.group());
                    det.put("kind", t.plural()).put("uid", Json.text(d.object().path("metadata"), "uid"));
                    json(ctx, 200, st);
                } else {
                    json(ctx, 200, d.object());
                }
            }
            default -> throw ApiException.methodNotAllowed("the server does not allow this method on the requested resource");
        }
    }

    private static ApiException notFound() {
        return new ApiException(notFoundPath());
    }

    private static Sub sub(String s) {
        return switch (s) {
            case "status" -> Sub.STATUS;
            case "finalize" -> Sub.FINALIZE;
            default -> Sub.MAIN;
        };
    }

    private static boolean isWatch(Context ctx) {
        String w = ctx.queryParam("watch");
        return w != null && (w.equals("true") || w.equals("1"));
    }

    private static boolean dryRun(Context ctx) {
        List<String> d = ctx.queryParams("dryRun");
        for (String v : d) {
            if (v.equals("All")) return true;
            if (!v.isEmpty()) throw ApiException.badRequest("Invalid dry run value: " + v + ": supported values: \"All\"");
        }
        return false;
    }

    private static boolean wantsTable(Context ctx) {
        String a = ctx.header("Accept");
        return a != null && a.contains("as=Table");
    }

    private static String includeObject(Context ctx) {
        String v = ctx.queryParam("includeObject");
        return v == null || v.isEmpty() ? "Metadata" : v;
    }

    private static ObjectNode body(Context ctx) {
        String ct = ctx.header("Content-Type");
        if (ct != null && ct.contains("application/vnd.kubernetes.protobuf")) return ProtobufDecoder.decode(ctx.bodyAsBytes());
        return Json.parseObject(ctx.bodyAsBytes(), isYaml(ct));
    }

    private static boolean isYaml(String contentType) {
        return contentType != null && contentType.contains("yaml");
    }

    private void checkFields(Context ctx, ResourceType t, JsonNode obj) {
        String mode = Optional.ofNullable(ctx.queryParam("fieldValidation")).orElse("");
        if (mode.isEmpty()) mode = "Warn";
        if (!Set.of("Strict", "Warn", "Ignore").contains(mode)) {
            throw ApiException.badRequest("fieldValidation parameter unsupported: " + mode + ". Must be one of: Ignore, Warn, Strict");
        }
        if (mode.equals("Ignore")) return;
        List<String> unknown = unknownFields.find(obj, t.modelClass());
        if (unknown.isEmpty()) return;
        if (mode.equals("Strict")) {
            throw ApiException.badRequest(t.kind() + " in version \"" + t.version() + "\" cannot be handled as a " + t.kind() + ": "
                    + UnknownFields.strictMessage(unknown));
        }
        for (String u : unknown) ctx.res().addHeader("Warning", "299 - \"unknown field \\\"" + u + "\\\"\"");
    }

    // ------------------------------------------------------------------ list / watch

    private record Filter(LabelSelector labels, FieldSelector fields) implements Predicate<ObjectNode> {
        @Override
        public boolean test(ObjectNode o) {
            if (!fields.isEmpty() && !fields.matches(o)) return false;
            if (labels.isEmpty()) return true;
            return labels.matches(labelsOf(o));
        }
    }

    static Map<String, String> labelsOf(JsonNode o) {
        JsonNode l = o.path("metadata").path("labels");
        if (!l.isObject() || l.isEmpty()) return Map.of();
        Map<String, String> m = new HashMap<>();
        l.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText("")));
        return m;
    }

    private static Filter filter(Context ctx, ResourceType t) {
        return new Filter(LabelSelector.parse(ctx.queryParam("labelSelector")), FieldSelector.parse(t, ctx.queryParam("fieldSelector")));
    }

    private static int limit(Context ctx) {
        String l = ctx.queryParam("limit");
        if (l == null || l.isEmpty()) return 0;
        try {
            return Math.max(0, Integer.parseInt(l));
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("invalid limit: " + l);
        }
    }

    private void list(Context ctx, RequestPath rp) {
        ResourceType t = rp.type();
        Filter f = filter(ctx, t);
        String cont = Optional.ofNullable(ctx.queryParam("continue")).orElse("");
        if (f.labels().isEmpty() && f.fields().isEmpty() && !wantsTable(ctx)) {
            GenericRegistry.RawPage rpg = registry.listRaw(t, rp.namespace(), limit(ctx), cont);
            java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream(64 + rpg.items().size() * 512);
            StringBuilder head = new StringBuilder("{\"kind\":\"").append(t.listKind()).append("\",\"apiVersion\":\"").append(t.apiVersion())
                    .append("\",\"metadata\":{\"resourceVersion\":\"").append(rpg.revision()).append('"');
            if (!rpg.continueToken().isEmpty()) head.append(",\"continue\":\"").append(rpg.continueToken()).append('"');
            head.append("},\"items\":[");
            b.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
            for (int i = 0; i < rpg.items().size(); i++) {
                if (i > 0) b.write(',');
                b.writeBytes(rpg.items().get(i));
            }
            b.writeBytes("]}".getBytes(StandardCharsets.UTF_8));
            raw(ctx, 200, "application/json", b.toByteArray());
            return;
        }
        GenericRegistry.Page page = registry.list(t, rp.namespace(), f, limit(ctx), cont);
        if (wantsTable(ctx)) {
            json(ctx, 200, Tables.table(printer, t, page.items(), Long.toString(page.revision()), page.continueToken(), includeObject(ctx), true));
            return;
        }
        ObjectNode list = Json.NODES.objectNode();
        list.put("kind", t.listKind()).put("apiVersion", t.apiVersion());
        ObjectNode meta = list.putObject("metadata");
        meta.put("resourceVersion", Long.toString(page.revision()));
        if (!page.continueToken().isEmpty()) meta.put("continue", page.continueToken());
        ArrayNode items = list.putArray("items");
        page.items().forEach(items::add);
        json(ctx, 200, list);
    }

    private void deleteCollection(Context ctx, RequestPath rp, GenericRegistry.DeleteOptions opts) {
        ResourceType t = rp.type();
        Filter f = filter(ctx, t);
        GenericRegistry.Page page = registry.list(t, rp.namespace(), f, 0, "");
        ObjectNode list = Json.NODES.objectNode();
        list.put("kind", t.listKind()).put("apiVersion", t.apiVersion());
        list.putObject("metadata").put("resourceVersion", Long.toString(page.revision()));
        ArrayNode items = list.putArray("items");
        for (ObjectNode o : page.items()) {
            JsonNode m = o.path("metadata");
            try {
                items.add(registry.delete(t, Json.text(m, "namespace"), Json.text(m, "name"), opts).object());
            } catch (ApiException e) {
                if (e.code() != 404) throw e;
            }
        }
        json(ctx, 200, list);
    }

    private sealed interface Item permits Ev, RawEv, Closed {}

    private record Ev(GenericRegistry.Change change) implements Item {}

    private record RawEv(GenericRegistry.RawChange change) implements Item {}

    private record Closed() implements Item {}

    /** Where watch frames go: chunked HTTP lines or WebSocket text messages. */
    interface FrameSink {
        void frame(byte[] json) throws IOException;

        void flush() throws IOException;
    }

    /** A parsed watch request. */
    record WatchRequest(ResourceType type, String namespace, Filter filter, boolean table, String include, boolean bookmarks,
                        long timeoutSeconds, String resourceVersion) {}

    private static WatchRequest watchRequest(RequestPath rp, java.util.function.Function<String, String> q, String accept) {
        ResourceType t = rp.type();
        Filter f = new Filter(LabelSelector.parse(q.apply("labelSelector")), FieldSelector.parse(t, q.apply("fieldSelector")));
        boolean table = accept != null && accept.contains("as=Table");
        String include = Optional.ofNullable(q.apply("includeObject")).filter(v -> !v.isEmpty()).orElse("Metadata");
        long timeoutSeconds = 1800;
        String ts = q.apply("timeoutSeconds");
        if (ts != null && !ts.isEmpty()) {
            try {
                timeoutSeconds = Long.parseLong(ts);
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("invalid timeoutSeconds: " + ts);
            }
        }
        String rv = Optional.ofNullable(q.apply("resourceVersion")).orElse("");
        if (!rv.isEmpty()) {
            try {
                Long.parseLong(rv);
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("invalid resource version: " + rv);
            }
        }
        return new WatchRequest(t, rp.namespace(), f, table, include, "true".equals(q.apply("allowWatchBookmarks")), timeoutSeconds, rv);
    }

    private void watch(Context ctx, RequestPath rp) {
        WatchRequest wr = watchRequest(rp, ctx::queryParam, ctx.header("Accept"));
        HttpServletResponse res = ctx.res();
        res.setStatus(200);
        res.setContentType("application/json");
        try {
            OutputStream out = res.getOutputStream();
            serveWatch(wr, new LinkedBlockingQueue<>(), new FrameSink() {
                @Override
                public void frame(byte[] json) throws IOException {
                    out.write(json);
                    out.write('\n');
                }

                @Override
                public void flush() throws IOException {
                    out.flush();
                    res.flushBuffer();
                }
            });
        } catch (IOException e) {
            LOG.debug("watch client went away: {}", e.toString());
        }
    }

    /**
     * Runs one watch until its timeout, a closed client (IOException) or a {@link Closed} item put
     * into {@code queue}: the initial state (for resourceVersion "" or "0") as ADDED events, then
     * every change, filtered by the selectors (objects leaving the selection are DELETED), with
     * bookmarks when asked for.
     */
    private void serveWatch(WatchRequest wr, BlockingQueue<Item> queue, FrameSink sink) throws IOException {
        ResourceType t = wr.type();
        boolean rawMode = wr.filter().labels().isEmpty() && wr.filter().fields().isEmpty() && !wr.table();
        List<ObjectNode> initial = new ArrayList<>();
        List<byte[]> initialRaw = new ArrayList<>();
        long from;
        if ((wr.resourceVersion().isEmpty() || wr.resourceVersion().equals("0")) && rawMode) {
            GenericRegistry.RawPage page = registry.listRaw(t, wr.namespace(), 0, "");
            initialRaw.addAll(page.items());
            from = page.revision();
        } else if (wr.resourceVersion().isEmpty() || wr.resourceVersion().equals("0")) {
            GenericRegistry.Page page = registry.list(t, wr.namespace(), wr.filter(), 0, "");
            initial.addAll(page.items());
            from = page.revision();
        } else {
            from = Long.parseLong(wr.resourceVersion());
        }
        Set<String> matching = new HashSet<>();
        long deadline = System.currentTimeMillis() + wr.timeoutSeconds() * 1000;
        Store.Watch w = null;
        try {
            boolean first = true;
            try {
                w = rawMode ? registry.watchRaw(t, wr.namespace(), from, c -> queue.add(new RawEv(c)))
                        : registry.watch(t, wr.namespace(), from, c -> queue.add(new Ev(c)));
            } catch (Store.CompactedException e) {
                Status st = ApiException.gone("too old resource version: " + from + " (" + e.compactedRevision() + ")").status();
                sink.frame(event("ERROR", Json.tree(st)));
                sink.flush();
                return;
            }
            for (byte[] o : initialRaw) sink.frame(rawEvent("ADDED", o));
            for (ObjectNode o : initial) {
                matching.add(keyOf(o));
                sink.frame(event("ADDED", wr.table() ? Tables.table(printer, t, List.of(o), "", "", wr.include(), first) : o));
                first = false;
            }
            sink.flush();
            long lastRev = from;
            long lastBookmark = System.currentTimeMillis();
            while (true) {
                long now = System.currentTimeMillis();
                if (now >= deadline) break;
                long wait = Math.min(deadline - now, wr.bookmarks() ? Math.max(1, BOOKMARK_INTERVAL_MS - (now - lastBookmark)) : 5000);
                Item it = queue.poll(wait, TimeUnit.MILLISECONDS);
                if (it == null) {
                    if (wr.bookmarks() && System.currentTimeMillis() - lastBookmark >= BOOKMARK_INTERVAL_MS) {
                        sink.frame(event("BOOKMARK", bookmark(t, lastRev)));
                        sink.flush();
                        lastBookmark = System.currentTimeMillis();
                    }
                    continue;
                }
                if (it instanceof Closed) return;
                do {
                    if (it instanceof Closed) return;
                    if (it instanceof RawEv rev) {
                        lastRev = rev.change().revision();
                        sink.frame(rawEvent(rev.change().type(), rev.change().object()));
                    }
                    if (it instanceof Ev ev) {
                        GenericRegistry.Change c = ev.change();
                        lastRev = c.revision();
                        String type = transition(c, wr.filter(), matching);
                        if (type != null) {
                            sink.frame(event(type, wr.table() ? Tables.table(printer, t, List.of(c.object()), "", "", wr.include(), first) : c.object()));
                            first = false;
                        }
                    }
                    it = queue.poll();
                } while (it != null);
                sink.flush();
            }
            if (wr.bookmarks()) {
                sink.frame(event("BOOKMARK", bookmark(t, lastRev)));
                sink.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (w != null) w.close();
        }
    }

    // ------------------------------------------------------------------ WebSocket watch (fabric8)

    /**
     * For routes mounted by other components: true when the request carries the token, else a 401
     * Status has been written.
     */
    public boolean authenticated(Context ctx) {
        if (auth.authenticate(ctx.header("Authorization"))) return true;
        status(ctx, unauthorized());
        return false;
    }

    /**
     * Before a WebSocket upgrade: only authenticated requests may upgrade, and only watches on
     * resources or paths matching a mounted WebSocket route ({@code extra}).
     */
    public void beforeUpgrade(Context ctx, List<java.util.regex.Pattern> extra) {
        if (!auth.authenticate(ctx.header("Authorization"))) throw new io.javalin.http.UnauthorizedResponse("Unauthorized");
        for (java.util.regex.Pattern p : extra) {
            if (p.matcher(ctx.path()).matches()) {
                acceptStreamProtocol(ctx);
                return;
            }
        }
        Optional<RequestPath> rp = RequestPath.parse(ctx.path());
        if (rp.isEmpty() || !rp.get().name().isEmpty() || !isWatch(ctx)) {
            throw new io.javalin.http.NotFoundResponse("the server could not find the requested resource");
        }
        watchRequest(rp.get(), ctx::queryParam, ctx.header("Accept"));
    }

    /** Remote-command subprotocols in preference order (kubectl 1.32 asks for v5, fabric8 for v4). */
    static final List<String> STREAM_PROTOCOLS = List.of("v5.channel.k8s.io", "v4.channel.k8s.io", "v3.channel.k8s.io",
            "v2.channel.k8s.io", "channel.k8s.io", "base64.channel.k8s.io");

    /**
     * Echoes the best remote-command subprotocol the client offered (kubectl falls back to SPDY
     * when the server does not echo one).
     */
    private static void acceptStreamProtocol(Context ctx) {
        String offered = ctx.header("Sec-WebSocket-Protocol");
        if (offered == null) return;
        List<String> offers = new ArrayList<>();
        for (String o : offered.split(",")) offers.add(o.trim());
        for (String p : STREAM_PROTOCOLS) {
            if (offers.contains(p)) {
                ctx.header("Sec-WebSocket-Protocol", p);
                return;
            }
        }
    }

    private final Map<String, BlockingQueue<Item>> wsWatches = new java.util.concurrent.ConcurrentHashMap<>();

    /** A WebSocket watch: each event is one text message, as kube-apiserver sends them. */
    public void wsConnect(io.javalin.websocket.WsConnectContext ctx) {
        java.net.URI uri = ctx.session.getUpgradeRequest().getRequestURI();
        RequestPath rp = RequestPath.parse(uri.getPath()).orElseThrow();
        WatchRequest wr = watchRequest(rp, ctx::queryParam, ctx.header("Accept"));
        BlockingQueue<Item> queue = new LinkedBlockingQueue<>();
        wsWatches.put(ctx.sessionId(), queue);
        Thread th = new Thread(() -> {
            try {
                serveWatch(wr, queue, new FrameSink() {
                    @Override
                    public void frame(byte[] json) {
                        ctx.send(new String(json, StandardCharsets.UTF_8));
                    }

                    @Override
                    public void flush() {
                    }
                });
            } catch (Exception e) {
                LOG.debug("websocket watch ended: {}", e.toString());
            } finally {
                wsWatches.remove(ctx.sessionId());
                try {
                    ctx.closeSession(1000, "");
                } catch (RuntimeException ignored) {
                    // already closed
                }
            }
        }, "ws-watch-" + rp.type().plural());
        th.setDaemon(true);
        th.start();
    }

    public void wsClose(io.javalin.websocket.WsContext ctx) {
        BlockingQueue<Item> q = wsWatches.remove(ctx.sessionId());
        if (q != null) q.add(new Closed());
    }

    private static String keyOf(JsonNode o) {
        JsonNode m = o.path("metadata");
        return m.path("namespace").asText("") + "/" + m.path("name").asText("");
    }

    /** The event type a selector-filtered watcher sees for a change, or null to skip it. */
    private static String transition(GenericRegistry.Change c, Filter f, Set<String> matching) {
        String key = keyOf(c.object());
        boolean now = f.test(c.object());
        if (c.type().equals("DELETED")) {
            boolean was = matching.remove(key) || now;
            return was ? "DELETED" : null;
        }
        boolean was = c.prev().map(f::test).orElse(matching.contains(key));
        if (now) {
            matching.add(key);
            if (c.type().equals("ADDED")) return "ADDED";
            return was || c.prev().isEmpty() ? "MODIFIED" : "ADDED";
        }
        matching.remove(key);
        return was ? "DELETED" : null;
    }

    private static ObjectNode bookmark(ResourceType t, long rev) {
        ObjectNode b = Json.NODES.objectNode();
        b.put("kind", t.kind()).put("apiVersion", t.apiVersion());
        b.putObject("metadata").put("resourceVersion", Long.toString(rev));
        return b;
    }

    private static byte[] rawEvent(String type, byte[] obj) {
        byte[] head = ("{\"type\":\"" + type + "\",\"object\":").getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[head.length + obj.length + 1];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(obj, 0, out, head.length, obj.length);
        out[out.length - 1] = '}';
        return out;
    }

    private static byte[] event(String type, JsonNode obj) {
        ObjectNode e = Json.NODES.objectNode();
        e.put("type", type);
        e.set("object", obj);
        return Json.bytes(e);
    }

    // ------------------------------------------------------------------ patch

    private void patch(Context ctx, RequestPath rp, boolean dryRun) {
        ResourceType t = rp.type();
        String ct = Optional.ofNullable(ctx.header("Content-Type")).orElse("");
        int semi = ct.indexOf(';');
        String mediaType = (semi < 0 ? ct : ct.substring(0, semi)).trim();
        byte[] raw = ctx.bodyAsBytes();
        UnaryOperator<ObjectNode> op;
        boolean apply = false;
        switch (mediaType) {
            case "application/json-patch+json" -> {
                JsonNode p = Json.parseAny(raw, false);
                checkJsonPatchDecodes(p);
                op = cur -> decodable(rp, asObject(applyJsonPatch(cur, p)));
            }
            case "application/merge-patch+json" -> {
                JsonNode p = Json.parseAny(raw, false);
                op = cur -> decodable(rp, asObject(MergePatch.apply(cur, p)));
            }
            case "application/strategic-merge-patch+json" -> {
                JsonNode p = Json.parseAny(raw, false);
                op = cur -> asObject(StrategicMergePatch.apply(t, cur, p));
            }
            case "application/apply-patch+yaml", "application/apply-patch+json" -> {
                JsonNode p = Json.parseAny(raw, true);
                if (!p.isObject()) throw ApiException.badRequest("apply patch must be an object");
                String manager = Optional.ofNullable(ctx.queryParam("fieldManager")).orElse("");
                if (manager.isEmpty()) throw ApiException.badRequest("PATCH, application/apply-patch+yaml requests require fieldManager to be set");
                checkFields(ctx, t, p);
                boolean force = "true".equals(ctx.queryParam("force"));
                op = cur -> ServerSideApply.apply(t, cur, (ObjectNode) p, manager, force);
                apply = true;
            }
            default -> throw new ApiException(new StatusBuilder().withStatus("Failure").withCode(415).withReason("UnsupportedMediaType")
                    .withMessage("the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json")
                    .withNewMetadata().endMetadata().build());
        }
        if (rp.subresource().equals("scale")) {
            json(ctx, 200, scaleWrite(rp, op, dryRun));
            return;
        }
        UnaryOperator<ObjectNode> checked = apply ? op : cur -> {
            ObjectNode r = op.apply(cur);
            checkFields(ctx, t, r);
            return r;
        };
        GenericRegistry.Written w = registry.patch(t, rp.namespace(), rp.name(), sub(rp.subresource()), checked, dryRun, apply);
        json(ctx, w.created() ? 201 : 200, w.object());
    }

    /** Upstream's {@code jsonpatch.DecodePatch}: the body must be an array of operation objects, else 400. */
    static void checkJsonPatchDecodes(JsonNode p) {
        if (!p.isArray()) throw ApiException.badRequest("json: cannot unmarshal " + jsonKind(p) + " into Go value of type jsonpatch.Patch");
        for (JsonNode op : p) {
            if (!op.isObject()) throw ApiException.badRequest("json: cannot unmarshal " + jsonKind(op) + " into Go value of type jsonpatch.Operation");
        }
    }

    private static String jsonKind(JsonNode n) {
        if (n.isTextual()) return "string";
        if (n.isNumber()) return "number";
        if (n.isBoolean()) return "bool";
        if (n.isArray()) return "array";
        return n.isObject() ? "object" : "value";
    }

    /**
     * Applying a decoded JSON patch: any failure (missing path, failed {@code test}, unknown op) is upstream's
     * {@code NewGenericServerResponse(422, ...)}: reason Invalid, the generic message, empty details (upstream
     * does not pass the jsonpatch error text to the client).
     */
    static JsonNode applyJsonPatch(JsonNode cur, JsonNode p) {
        try {
            return JsonPatch.apply(cur, p);
        } catch (ApiException e) {
            if (e.code() != 400) throw e;
            LOG.debug("json patch not applicable: {}", e.getMessage());
            throw new ApiException(new StatusBuilder().withStatus("Failure").withCode(422).withReason("Invalid")
                    .withMessage("the server rejected our request due to an error in our request")
                    .withNewMetadata().endMetadata().withNewDetails().endDetails().build());
        }
    }

    /**
     * The JSON / merge patch result must decode as the resource's type; otherwise upstream's
     * {@code NewInvalid(GroupKind{}, "", [Invalid("patch", <patched JSON>, <decode error>)])}: 422 with message
     * {@code  "" is invalid: patch: Invalid value: "{...}": json: cannot unmarshal string into Go struct field ...}.
     */
    static ObjectNode decodable(RequestPath rp, ObjectNode patched) {
        Optional<String> err = rp.subresource().equals("scale") ? scaleDecodeError(patched) : Json.decodeError(patched, rp.type().modelClass());
        if (err.isEmpty()) return patched;
        io.fabric8.kubernetes.api.model.StatusCause cause = io.dualstack.apiserver.service.FieldErrors.invalid("patch",
                io.dualstack.apiserver.service.FieldErrors.str(patched.toString()), err.get());
        throw new ApiException(new StatusBuilder().withStatus("Failure").withCode(422).withReason("Invalid")
                .withMessage(" \"\" is invalid: " + ApiException.causeText(cause))
                .withNewMetadata().endMetadata().withNewDetails().withCauses(cause).endDetails().build());
    }

    /** {@code autoscaling/v1 Scale}: the one writable field, {@code spec.replicas}, is an int32. */
    private static Optional<String> scaleDecodeError(ObjectNode scale) {
        JsonNode r = scale.path("spec").path("replicas");
        if (r.isMissingNode() || r.isNull() || (r.isIntegralNumber() && r.canConvertToInt())) return Optional.empty();
        String kind = r.isNumber() ? "number " + r.asText() : jsonKind(r);
        return Optional.of("json: cannot unmarshal " + kind + " into Go struct field ScaleSpec.spec.replicas of type int32");
    }

    private static ObjectNode asObject(JsonNode n) {
        if (!n.isObject()) throw ApiException.badRequest("the patch produced a value that is not an object");
        return (ObjectNode) n;
    }

    private ObjectNode scaleWrite(RequestPath rp, UnaryOperator<ObjectNode> scaleMutation, boolean dryRun) {
        ResourceType t = rp.type();
        GenericRegistry.Written w = registry.patch(t, rp.namespace(), rp.name(), Sub.MAIN, cur -> {
            ObjectNode scale = Scale.of(t, cur);
            ObjectNode wanted = scaleMutation.apply(scale.deepCopy());
            String rv = Json.text(wanted.path("metadata"), "resourceVersion");
            if (!rv.isEmpty() && !rv.equals(Json.text(cur.path("metadata"), "resourceVersion"))) throw GenericRegistry.modified(t, rp.name());
            JsonNode replicas = wanted.path("spec").path("replicas");
            if (!replicas.isMissingNode() && !replicas.isNull()) cur.with("spec").put("replicas", replicas.asInt());
            return cur;
        }, dryRun, false);
        return Scale.of(t, w.object());
    }

    // ------------------------------------------------------------------ delete options

    private static GenericRegistry.DeleteOptions deleteOptions(Context ctx, boolean dryRun) {
        Optional<Long> grace = Optional.empty();
        String policy = Optional.ofNullable(ctx.queryParam("propagationPolicy")).orElse("");
        String uid = "", rv = "";
        String g = ctx.queryParam("gracePeriodSeconds");
        if (g != null && !g.isEmpty()) {
            try {
                grace = Optional.of(Long.parseLong(g));
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("invalid gracePeriodSeconds: " + g);
            }
        }
        byte[] raw = ctx.bodyAsBytes();
        if (raw.length > 0) {
            ObjectNode b = Json.parseObject(raw, isYaml(ctx.header("Content-Type")));
            if (b.has("gracePeriodSeconds") && !b.get("gracePeriodSeconds").isNull()) grace = Optional.of(b.get("gracePeriodSeconds").asLong());
            if (b.hasNonNull("propagationPolicy")) policy = b.get("propagationPolicy").asText();
            if (b.has("orphanDependents") && policy.isEmpty()) policy = b.get("orphanDependents").asBoolean() ? "Orphan" : "Background";
            uid = Json.text(b.path("preconditions"), "uid");
            rv = Json.text(b.path("preconditions"), "resourceVersion");
            for (JsonNode d : b.path("dryRun")) {
                if (d.asText().equals("All")) dryRun = true;
                else throw ApiException.badRequest("Invalid dry run value: " + d.asText() + ": supported values: \"All\"");
            }
        }
        if (!policy.isEmpty() && !Set.of("Foreground", "Background", "Orphan").contains(policy)) {
            throw ApiException.badRequest("DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Unsupported value: \"" + policy
                    + "\": supported values: \"Foreground\", \"Background\", \"Orphan\"");
        }
        return new GenericRegistry.DeleteOptions(grace, policy, uid, rv, dryRun);
    }

    // ------------------------------------------------------------------ writing

    private static void json(Context ctx, int code, JsonNode body) {
        raw(ctx, code, "application/json", Json.bytes(body));
    }

    private static void status(Context ctx, Status st) {
        raw(ctx, st.getCode() == null ? 500 : st.getCode(), "application/json", Json.bytes(st));
    }

    private static void raw(Context ctx, int code, String contentType, byte[] body) {
        ctx.status(code);
        ctx.contentType(contentType);
        ctx.result(body);
    }
}
