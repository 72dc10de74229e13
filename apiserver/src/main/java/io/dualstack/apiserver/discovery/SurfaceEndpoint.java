package io.dualstack.apiserver.discovery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.dualstack.apiserver.ApiServer;
import io.dualstack.apiserver.http.Endpoint;
import io.dualstack.apiserver.http.Reply;
import io.dualstack.apiserver.http.Tables;
import io.dualstack.apiserver.openapi.OpenApi;
import io.dualstack.apiserver.registry.ResourceType;
import io.dualstack.apiserver.table.TableConvertor;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Serves the discovery and OpenAPI documents on an {@link ApiServer}: {@code /api}, {@code /apis}
 * (aggregated v2 when the Accept header asks for it, else legacy), {@code /api/v1},
 * {@code /apis/G}, {@code /apis/G/V}, {@code /openapi/v2}, {@code /openapi/v3} and
 * {@code /openapi/v3/<gv>}. {@link #mountOn} also installs upstream's table columns.
 */
public final class SurfaceEndpoint implements Endpoint {
    private final Discovery discovery;
    private final OpenApi openApi;
    private final Supplier<String> serverAddress;
    private final byte[] aggregatedApi;
    private final byte[] aggregatedApis;
    private final byte[] groupList;
    private final byte[] openApiV2;
    private final byte[] openApiV3Index;

    public SurfaceEndpoint(Discovery discovery, OpenApi openApi, Supplier<String> serverAddress) {
        this.discovery = discovery;
        this.openApi = openApi;
        this.serverAddress = serverAddress;
        this.aggregatedApi = Discovery.bytes(discovery.aggregatedApi());
        this.aggregatedApis = Discovery.bytes(discovery.aggregatedApis());
        this.groupList = Discovery.bytes(discovery.apiGroupList());
        this.openApiV2 = OpenApi.bytes(openApi.v2());
        this.openApiV3Index = OpenApi.bytes(openApi.v3Index());
    }

    /** Mounts discovery + OpenAPI for every served resource and sets upstream's table printer. */
    public static void mountOn(ApiServer server) {
        server.mount(new SurfaceEndpoint(Discovery.served(), OpenApi.served(), () -> "127.0.0.1:" + server.port()));
        server.printer(PRINTER);
    }

    /** Upstream's columns ({@link TableConvertor}) as the API server's row printer. */
    public static final Tables.RowPrinter PRINTER = new Tables.RowPrinter() {
        @Override
        public ArrayNode columns(ResourceType type) {
            return TableConvertor.columnDefinitions(type);
        }

        @Override
        public List<Object> cells(ResourceType type, JsonNode obj) {
            return TableConvertor.cells(type, obj, Instant.now());
        }
    };

    @Override
    public Optional<Reply> get(String path, String accept, Map<String, List<String>> query) {
        String p = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        boolean aggregated = Discovery.acceptsAggregated(accept);
        if (p.equals("/api")) {
            return Optional.of(aggregated ? aggregatedReply(aggregatedApi)
                    : json(Discovery.bytes(discovery.apiVersions(serverAddress.get()))));
        }
        if (p.equals("/apis")) {
            return Optional.of(aggregated ? aggregatedReply(aggregatedApis) : json(groupList));
        }
        if (p.equals("/openapi/v2")) {
            return Optional.of(json(openApiV2));
        }
        if (p.equals("/openapi/v3")) {
            return Optional.of(json(openApiV3Index));
        }
        if (p.startsWith("/openapi/v3/")) {
            String gv = p.substring("/openapi/v3/".length());
            return openApi.v3Document(gv).map(doc -> new Reply(200, "application/json", OpenApi.bytes(doc),
                    Map.of("ETag", "\"" + openApi.v3Hash(gv).orElse("") + "\"", "Vary", "Accept")));
        }
        String[] parts = p.substring(1).split("/");
        if (parts.length == 2 && parts[0].equals("api")) {
            return discovery.apiResourceList("", parts[1]).map(n -> json(Discovery.bytes(n)));
        }
        if (parts.length == 2 && parts[0].equals("apis")) {
            return discovery.apiGroup(parts[1]).map(n -> json(Discovery.bytes(n)));
        }
        if (parts.length == 3 && parts[0].equals("apis")) {
            return discovery.apiResourceList(parts[1], parts[2]).map(n -> json(Discovery.bytes(n)));
        }
        return Optional.empty();
    }

    private static Reply json(byte[] body) {
        return new Reply(200, "application/json", body, Map.of("Vary", "Accept"));
    }

    private static Reply aggregatedReply(byte[] body) {
        return new Reply(200, Discovery.AGGREGATED_CONTENT_TYPE, body, Map.of("Vary", "Accept"));
    }
}
