package io.dualstack.apiserver.http;

import io.dualstack.apiserver.discovery.Discovery;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Mounts the discovery documents: {@code /api} and {@code /apis} (aggregated discovery v2 when the
 * Accept header asks for it, else APIVersions/APIGroupList), {@code /api/v1}, {@code /apis/G} and
 * {@code /apis/G/V}. Documents are rendered once (the served set never changes at run time).
 */
public final class DiscoveryEndpoint implements Endpoint {
    private final Supplier<String> serverAddress;
    private final byte[] aggregatedApi;
    private final byte[] aggregatedApis;
    private final byte[] groupList;
    private final Discovery discovery;

    public DiscoveryEndpoint(Discovery discovery, Supplier<String> serverAddress) {
        this.discovery = discovery;
        this.serverAddress = serverAddress;
        this.aggregatedApi = Discovery.bytes(discovery.aggregatedApi());
        this.aggregatedApis = Discovery.bytes(discovery.aggregatedApis());
        this.groupList = Discovery.bytes(discovery.apiGroupList());
    }

    @Override
    public Optional<Reply> get(String path, String accept, Map<String, List<String>> query) {
        boolean aggregated = Discovery.acceptsAggregated(accept);
        switch (path) {
            case "/api" -> {
                return Optional.of(aggregated ? agg(aggregatedApi) : Reply.json(200, Discovery.bytes(discovery.apiVersions(serverAddress.get()))));
            }
            case "/apis" -> {
                return Optional.of(aggregated ? agg(aggregatedApis) : Reply.json(200, groupList));
            }
            default -> { }
        }
        String[] seg = path.substring(1).split("/");
        if (seg.length == 2 && seg[0].equals("api")) {
            return discovery.apiResourceList("", seg[1]).map(n -> Reply.json(200, Discovery.bytes(n)));
        }
        if (seg.length == 2 && seg[0].equals("apis")) {
            return discovery.apiGroup(seg[1]).map(n -> Reply.json(200, Discovery.bytes(n)));
        }
        if (seg.length == 3 && seg[0].equals("apis")) {
            return discovery.apiResourceList(seg[1], seg[2]).map(n -> Reply.json(200, Discovery.bytes(n)));
        }
        return Optional.empty();
    }

    private static Reply agg(byte[] body) {
        return new Reply(200, Discovery.AGGREGATED_CONTENT_TYPE, body, Map.of("Vary", "Accept"));
    }
}
