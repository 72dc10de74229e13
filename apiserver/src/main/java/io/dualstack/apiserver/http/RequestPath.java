package io.dualstack.apiserver.http;

import io.dualstack.apiserver.registry.ResourceCatalog;
import io.dualstack.apiserver.registry.ResourceType;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A resource request path: {@code /api/v1[/namespaces/{ns}]/{plural}[/{name}[/{sub}]]} or the
 * same under {@code /apis/{group}/{version}}. {@code namespace}, {@code name} and
 * {@code subresource} are empty when absent.
 */
public record RequestPath(ResourceType type, String namespace, String name, String subresource) {

    /** Parses a resource path; empty for paths that are not resource requests (discovery, health ...). */
    public static Optional<RequestPath> parse(String path) {
        List<String> seg = new ArrayList<>();
        for (String s : path.split("/")) if (!s.isEmpty()) seg.add(s);
        String group, version;
        int i;
        if (seg.size() >= 3 && seg.get(0).equals("api")) {
            group = "";
            version = seg.get(1);
            i = 2;
        } else if (seg.size() >= 4 && seg.get(0).equals("apis")) {
            group = seg.get(1);
            version = seg.get(2);
            i = 3;
        } else {
            return Optional.empty();
        }
        List<String> rest = seg.subList(i, seg.size());
        String ns = "";
        if (rest.get(0).equals("namespaces") && rest.size() >= 3
                && !(rest.size() == 3 && (rest.get(2).equals("status") || rest.get(2).equals("finalize")))) {
            ns = rest.get(1);
            rest = rest.subList(2, rest.size());
        }
        if (rest.size() > 3) return Optional.empty();
        String plural = rest.get(0);
        Optional<ResourceType> t = ResourceCatalog.find(group, version, plural);
        if (t.isEmpty()) return Optional.empty();
        if (!ns.isEmpty() && !t.get().namespaced()) return Optional.empty();
        return Optional.of(new RequestPath(t.get(), ns, rest.size() > 1 ? rest.get(1) : "", rest.size() > 2 ? rest.get(2) : ""));
    }

    /** True for paths under {@code /api} or {@code /apis} (an unknown one there is a 404 Status). */
    public static boolean isApiPath(String path) {
        return path.equals("/api") || path.startsWith("/api/") || path.equals("/apis") || path.startsWith("/apis/");
    }
}
