package io.dualstack.apiserver.http;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A GET endpoint outside the resource paths (discovery documents, OpenAPI, metrics). The server
 * asks each mounted endpoint in turn; the first non-empty reply is sent.
 *
 * @see io.dualstack.apiserver.ApiServer#mount(Endpoint)
 */
@FunctionalInterface
public interface Endpoint {
    /** {@code accept} is the raw Accept header ("" when absent). */
    Optional<Reply> get(String path, String accept, Map<String, List<String>> query);
}
