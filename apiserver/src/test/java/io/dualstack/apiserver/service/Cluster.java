package io.dualstack.apiserver.service;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import io.dualstack.apiserver.registry.ApiException;
import io.dualstack.apiserver.registry.ResourceCatalog;
import io.dualstack.apiserver.registry.ResourceStrategy;
import io.dualstack.apiserver.registry.ResourceType;
import io.dualstack.core.plan.ClusterPlan;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.StatusCause;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A registry in miniature for table tests: the service admission over a {@link MemStore}, running
 * prepare → validate → commit/abort as the real registry does, without HTTP.
 */
final class Cluster {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()).disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final AtomicLong CLOCK = new AtomicLong(1_700_000_000L);

    /** The four cluster layouts. */
    enum Layout {
        V4("10.96.0.0/16"), V6("fd00:10:96::/112"), V4V6("10.96.0.0/16", "fd00:10:96::/112"), V6V4("fd00:10:96::/112", "10.96.0.0/16");

        final List<String> cidrs;

        Layout(String... cidrs) {
            this.cidrs = List.of(cidrs);
        }
    }

    final ServiceAdmission admission;
    final MemStore store;
    final ClusterPlan plan;

    Cluster(Layout layout) {
        this(plan(layout.cidrs), new MemStore(), 42);
    }

    Cluster(ClusterPlan plan, MemStore store, long seed) {
        this.plan = plan;
        this.store = store;
        this.admission = new ServiceAdmission(plan, ServiceAdmission.defaultLoadBalancerPools(plan), new Random(seed));
        for (HasMetadata o : admission.bootstrapObjects()) store.put(ResourceCatalog.forClass(o.getClass()).orElseThrow(), o);
        strategy(ResourceCatalog.SERVICES).start(store);
    }

    static ClusterPlan plan(List<String> serviceCidrs) {
        List<IPAddress> cidrs = serviceCidrs.stream().map(c -> new IPAddressString(c).getAddress()).toList();
        return new ClusterPlan(cidrs, List.of(), 24, 64, List.of(), List.of(), List.of(), "nftables",
                ClusterPlan.PortRange.DEFAULT_NODE_PORTS, "cluster.local");
    }

    static ClusterPlan plan(String... serviceCidrs) {
        return plan(Arrays.asList(serviceCidrs));
    }

    @SuppressWarnings("unchecked")
    <T extends HasMetadata> ResourceStrategy<T> strategy(ResourceType type) {
        return (ResourceStrategy<T>) admission.strategies().get(type);
    }

    static Service svc(String yaml) {
        try {
            Service s = YAML.readValue(yaml, Service.class);
            if (s.getMetadata() == null) s.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMeta());
            if (s.getMetadata().getName() == null) s.getMetadata().setName("web");
            if (s.getMetadata().getNamespace() == null) s.getMetadata().setNamespace("default");
            return s;
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    Service create(String yaml) {
        return create(svc(yaml), false);
    }

    Service create(Service in, boolean dryRun) {
        return write(ResourceCatalog.SERVICES, in, null, dryRun);
    }

    Service update(Service in) {
        Service old = get(in.getMetadata().getName());
        return write(ResourceCatalog.SERVICES, in, old, false);
    }

    Service get(String name) {
        return store.<Service>get(ResourceCatalog.SERVICES, "default", name).map(Copies::service).orElseThrow();
    }

    /** prepare → validate → store + commit, or abort and throw, like the registry. */
    <T extends HasMetadata> T write(ResourceType type, T in, T old, boolean dryRun) {
        ResourceStrategy<T> st = strategy(type);
        FakeContext ctx = new FakeContext(store, dryRun);
        List<StatusCause> causes;
        try {
            if (old == null) {
                st.prepareForCreate(in, ctx);
                causes = st.validateCreate(in);
            } else {
                st.prepareForUpdate(in, old, ctx);
                causes = st.validateUpdate(in, old);
            }
        } catch (RuntimeException e) {
            ctx.abort();
            throw e;
        }
        if (!causes.isEmpty()) {
            ctx.abort();
            throw ApiException.invalid(type, in.getMetadata().getName(), causes);
        }
        if (dryRun) {
            ctx.abort();
            return in;
        }
        if (old == null) in.getMetadata().setCreationTimestamp(Instant.ofEpochSecond(CLOCK.incrementAndGet()).toString());
        store.put(type, in);
        ctx.commit();
        return in;
    }

    FakeContext delete(String name) {
        Service old = get(name);
        FakeContext ctx = new FakeContext(store, false);
        strategy(ResourceCatalog.SERVICES).prepareForDelete(old, ctx);
        store.remove(ResourceCatalog.SERVICES, "default", name);
        ctx.commit();
        return ctx;
    }

    static Service copy(Service s) {
        return new ServiceBuilder(s).build();
    }
}
