package io.dualstack.apiserver.http;

import java.util.Map;

/** A complete non-streaming HTTP answer from a pluggable endpoint (discovery, OpenAPI ...). */
public record Reply(int status, String contentType, byte[] body, Map<String, String> headers) {
    public Reply {
        headers = Map.copyOf(headers);
    }

    public static Reply json(int status, byte[] body) {
        return new Reply(status, "application/json", body, Map.of());
    }
}
