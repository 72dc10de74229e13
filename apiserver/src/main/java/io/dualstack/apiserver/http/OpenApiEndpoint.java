package io.dualstack.apiserver.http;

import io.dualstack.apiserver.openapi.OpenApi;
import io.dualstack.apiserver.openapi.OpenApiV2Protobuf;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Mounts the OpenAPI documents: {@code /openapi/v3} (index), {@code /openapi/v3/api/v1},
 * {@code /openapi/v3/apis/G/V} and {@code /openapi/v2} (JSON, or gnostic protobuf when
 * the Accept header asks for it, see {@link OpenApiV2Protobuf}). The documents are generated on first
 * use and their bytes kept.
 */
public final class OpenApiEndpoint implements Endpoint {
    private final Supplier<OpenApi> source;
    private volatile OpenApi openApi;
    private final Map<String, byte[]> rendered = new ConcurrentHashMap<>();

    public OpenApiEndpoint(Supplier<OpenApi> source) {
        this.source = source;
    }

    private OpenApi api() {
        OpenApi a = openApi;
        if (a == null) {
            synchronized (this) {
                if (openApi == null) openApi = source.get();
                a = openApi;
            }
        }
        return a;
    }

    @Override
    public Optional<Reply> get(String path, String accept, Map<String, List<String>> query) {
        if (path.equals("/openapi/v3")) {
            return Optional.of(Reply.json(200, rendered.computeIfAbsent(path, p -> OpenApi.bytes(api().v3Index()))));
        }
        if (path.startsWith("/openapi/v3/")) {
            String gv = path.substring("/openapi/v3/".length());
            return api().v3Document(gv).map(doc -> Reply.json(200, rendered.computeIfAbsent(path, p -> OpenApi.bytes(doc))));
        }
        if (path.equals("/openapi/v2")) {
            // client-go's OpenAPISchema() asks for gnostic protobuf (kubectl's List validation and v2 fallback).
            if (OpenApiV2Protobuf.wantsProtobuf(accept)) {
                byte[] body = rendered.computeIfAbsent(path + "#protobuf", p -> OpenApiV2Protobuf.encode(api().v2()));
                return Optional.of(new Reply(200, OpenApiV2Protobuf.MEDIA_TYPE, body, Map.of("Vary", "Accept")));
            }
            return Optional.of(Reply.json(200, rendered.computeIfAbsent(path, p -> OpenApi.bytes(api().v2()))));
        }
        return Optional.empty();
    }
}
