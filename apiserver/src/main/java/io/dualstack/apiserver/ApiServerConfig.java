package io.dualstack.apiserver;

import io.dualstack.apiserver.registry.ResourceStrategy;
import io.dualstack.apiserver.registry.ResourceType;
import io.dualstack.apiserver.storage.Store;
import io.dualstack.core.plan.ClusterPlan;

import java.nio.file.Path;
import java.util.Map;

/**
 * How an {@link ApiServer} runs.
 *
 * @param stateDir   where the CA, serving certificate, token and (for SQLite) the database live
 * @param port       the HTTPS port on 127.0.0.1 and ::1; 0 picks a free one
 * @param plan       the cluster network plan (service ranges, NodePort range, cluster domain)
 * @param token      the admin bearer token; empty: reuse {@code stateDir/token} or generate one
 * @param store      opens the store for the state directory
 * @param strategies per-resource admission added to (and overriding) the discovered ones
 * @param discoverAdmission install the default admission: {@code ServiceAdmission} (services,
 *                   servicecidrs, ipaddresses, bootstrap objects) and {@code WorkloadStrategies}
 */
public record ApiServerConfig(Path stateDir, int port, ClusterPlan plan, String token, StoreFactory store,
                              Map<ResourceType, ResourceStrategy<?>> strategies, boolean discoverAdmission) {

    public ApiServerConfig {
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be 0..65535, got " + port);
        strategies = Map.copyOf(strategies);
    }

    public static ApiServerConfig of(Path stateDir, ClusterPlan plan, StoreFactory store) {
        return new ApiServerConfig(stateDir, 0, plan, "", store, Map.of(), true);
    }

    public ApiServerConfig withPort(int p) {
        return new ApiServerConfig(stateDir, p, plan, token, store, strategies, discoverAdmission);
    }

    public ApiServerConfig withToken(String t) {
        return new ApiServerConfig(stateDir, port, plan, t, store, strategies, discoverAdmission);
    }

    public ApiServerConfig withStrategies(Map<ResourceType, ResourceStrategy<?>> s, boolean discover) {
        return new ApiServerConfig(stateDir, port, plan, token, store, s, discover);
    }

    /** Opens the server's store; called once by {@link ApiServer#start()}, closed by {@link ApiServer#close()}. */
    @FunctionalInterface
    public interface StoreFactory {
        Store open(Path stateDir) throws Exception;
    }
}
