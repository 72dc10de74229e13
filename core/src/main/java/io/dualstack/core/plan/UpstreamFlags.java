package io.dualstack.core.plan;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The command-line flags of the components the plan reader knows (kube-apiserver,
 * kube-controller-manager, kube-proxy, kubelet; Kubernetes 1.32 {@code --help}, including the
 * component-base logging/feature-gate flags). A flag outside these sets is an input error: it is a
 * typo or belongs to another tool, and silently ignoring it would change the plan the user meant.
 */
final class UpstreamFlags {
    private UpstreamFlags() {
    }

    /** Flags every component has (component-base: logging, feature gates, version, help). */
    private static final Set<String> COMMON = Set.of("v", "vmodule", "log-flush-frequency", "logging-format",
            "log-text-split-stream", "log-text-info-buffer-size", "log-json-split-stream", "log-json-info-buffer-size",
            "feature-gates", "version", "help", "h", "kubeconfig", "master", "bind-address", "secure-port",
            "cert-dir", "tls-cert-file", "tls-private-key-file", "tls-cipher-suites", "tls-min-version",
            "tls-sni-cert-key", "profiling", "contention-profiling", "kube-api-qps", "kube-api-burst",
            "kube-api-content-type", "hostname-override", "healthz-bind-address", "healthz-port", "metrics-bind-address",
            "show-hidden-metrics-for-version", "allow-metric-labels", "allow-metric-labels-manifest",
            "disabled-metrics", "config", "write-config-to", "cluster-cidr", "authentication-kubeconfig",
            "authorization-kubeconfig", "client-ca-file", "requestheader-client-ca-file",
            "requestheader-allowed-names", "requestheader-extra-headers-prefix", "requestheader-group-headers",
            "requestheader-username-headers", "requestheader-uid-headers", "authorization-always-allow-paths",
            "authentication-skip-lookup", "authentication-tolerate-lookup-failure", "authorization-webhook-cache-authorized-ttl",
            "authorization-webhook-cache-unauthorized-ttl", "authentication-token-webhook-cache-ttl",
            "permit-address-sharing", "permit-port-sharing", "http2-max-streams-per-connection", "add-dir-header",
            "alsologtostderr", "log-backtrace-at", "log-dir", "log-file", "log-file-max-size", "logtostderr",
            "one-output", "skip-headers", "skip-log-headers", "stderrthreshold", "cloud-provider", "cloud-config",
            "leader-elect", "leader-elect-lease-duration", "leader-elect-renew-deadline", "leader-elect-resource-lock",
            "leader-elect-resource-name", "leader-elect-resource-namespace", "leader-elect-retry-period");

    private static final Set<String> KUBE_APISERVER = Set.of("advertise-address", "service-cluster-ip-range",
            "service-node-port-range", "allow-privileged", "anonymous-auth", "api-audiences", "apiserver-count",
            "audit-log-path", "audit-log-maxage", "audit-log-maxbackup", "audit-log-maxsize", "audit-log-format",
            "audit-log-mode", "audit-policy-file", "audit-webhook-config-file", "audit-webhook-mode",
            "authentication-config", "authentication-token-webhook-config-file", "authentication-token-webhook-version",
            "authorization-config", "authorization-mode", "authorization-policy-file", "authorization-webhook-config-file",
            "authorization-webhook-version", "cors-allowed-origins", "default-not-ready-toleration-seconds",
            "default-unreachable-toleration-seconds", "delete-collection-workers", "disable-admission-plugins",
            "enable-admission-plugins", "admission-control-config-file", "enable-aggregator-routing",
            "enable-bootstrap-token-auth", "enable-garbage-collector", "enable-priority-and-fairness",
            "encryption-provider-config", "encryption-provider-config-automatic-reload", "endpoint-reconciler-type",
            "etcd-cafile", "etcd-certfile", "etcd-keyfile", "etcd-compaction-interval", "etcd-count-metric-poll-period",
            "etcd-db-metric-poll-interval", "etcd-healthcheck-timeout", "etcd-readycheck-timeout", "etcd-prefix",
            "etcd-servers", "etcd-servers-overrides", "event-ttl", "external-hostname", "goaway-chance",
            "kubelet-certificate-authority", "kubelet-client-certificate", "kubelet-client-key",
            "kubelet-preferred-address-types", "kubelet-timeout", "livez-grace-period", "max-connection-bytes-per-sec",
            "max-mutating-requests-inflight", "max-requests-inflight", "min-request-timeout", "oidc-ca-file",
            "oidc-client-id", "oidc-groups-claim", "oidc-groups-prefix", "oidc-issuer-url", "oidc-required-claim",
            "oidc-signing-algs", "oidc-username-claim", "oidc-username-prefix", "peer-advertise-ip",
            "peer-advertise-port", "peer-ca-file", "proxy-client-cert-file", "proxy-client-key-file",
            "request-timeout", "runtime-config", "service-account-extend-token-expiration", "service-account-issuer",
            "service-account-jwks-uri", "service-account-key-file", "service-account-lookup",
            "service-account-max-token-expiration", "service-account-signing-key-file", "shutdown-delay-duration",
            "shutdown-send-retry-after", "shutdown-watch-termination-grace-period", "storage-backend",
            "storage-media-type", "strict-transport-security-directives", "token-auth-file", "watch-cache",
            "watch-cache-sizes", "default-watch-cache-size", "egress-selector-config-file", "emulated-version",
            "enable-logs-handler", "aggregator-reject-forwarding-redirect", "lease-reuse-duration-seconds",
            "storage-initialization-timeout", "tracing-config-file", "debug-socket-path", "insecure-port");

    private static final Set<String> KUBE_CONTROLLER_MANAGER = Set.of("service-cluster-ip-range", "allocate-node-cidrs",
            "cidr-allocator-type", "node-cidr-mask-size", "node-cidr-mask-size-ipv4", "node-cidr-mask-size-ipv6",
            "controllers", "cluster-name", "cluster-signing-cert-file", "cluster-signing-key-file",
            "cluster-signing-duration", "cluster-signing-kube-apiserver-client-cert-file",
            "cluster-signing-kube-apiserver-client-key-file", "cluster-signing-kubelet-client-cert-file",
            "cluster-signing-kubelet-client-key-file", "cluster-signing-kubelet-serving-cert-file",
            "cluster-signing-kubelet-serving-key-file", "cluster-signing-legacy-unknown-cert-file",
            "cluster-signing-legacy-unknown-key-file", "concurrent-deployment-syncs", "concurrent-endpoint-syncs",
            "concurrent-service-endpoint-syncs", "concurrent-gc-syncs", "concurrent-namespace-syncs",
            "concurrent-replicaset-syncs", "concurrent-service-syncs", "concurrent-statefulset-syncs",
            "concurrent-daemonset-syncs", "concurrent-job-syncs", "concurrent-serviceaccount-token-syncs",
            "configure-cloud-routes", "controller-start-interval", "enable-dynamic-provisioning",
            "enable-garbage-collector", "enable-hostpath-provisioner", "endpoint-updates-batch-period",
            "endpointslice-updates-batch-period", "max-endpoints-per-slice", "min-resync-period",
            "mirroring-concurrent-service-endpoint-syncs", "mirroring-endpointslice-updates-batch-period",
            "mirroring-max-endpoints-per-slice", "namespace-sync-period", "node-eviction-rate",
            "node-monitor-grace-period", "node-monitor-period", "node-startup-grace-period", "pod-eviction-timeout",
            "large-cluster-size-threshold", "secondary-node-eviction-rate", "unhealthy-zone-threshold",
            "root-ca-file", "route-reconciliation-period", "service-account-private-key-file",
            "terminated-pod-gc-threshold", "use-service-account-credentials", "horizontal-pod-autoscaler-sync-period",
            "attach-detach-reconcile-sync-period", "disable-attach-detach-reconcile-sync", "external-cloud-volume-plugin",
            "volume-host-allow-local-loopback", "volume-host-cidr-denylist", "node-sync-period");

    private static final Set<String> KUBE_PROXY = Set.of("proxy-mode", "cluster-cidr", "bind-address-hard-fail",
            "cleanup", "conntrack-max-per-core", "conntrack-min", "conntrack-tcp-timeout-close-wait",
            "conntrack-tcp-timeout-established", "conntrack-tcp-be-liberal", "conntrack-udp-timeout",
            "conntrack-udp-timeout-stream", "detect-local-mode", "pod-bridge-interface", "pod-interface-name-prefix",
            "init-only", "iptables-localhost-nodeports", "iptables-masquerade-bit", "iptables-min-sync-period",
            "iptables-sync-period", "ipvs-exclude-cidrs", "ipvs-min-sync-period", "ipvs-scheduler", "ipvs-strict-arp",
            "ipvs-sync-period", "ipvs-tcp-timeout", "ipvs-tcpfin-timeout", "ipvs-udp-timeout", "masquerade-all",
            "nodeport-addresses", "oom-score-adj", "config-sync-period", "proxy-port-range");

    private static final Set<String> KUBELET = Set.of("node-ip", "hostname-override", "cluster-domain", "cluster-dns",
            "address", "port", "read-only-port", "anonymous-auth", "authentication-token-webhook", "authorization-mode",
            "bootstrap-kubeconfig", "cgroup-driver", "cgroup-root", "cgroups-per-qos", "container-log-max-files",
            "container-log-max-size", "container-runtime-endpoint", "image-service-endpoint", "cpu-manager-policy",
            "enforce-node-allocatable", "eviction-hard", "eviction-soft", "eviction-soft-grace-period",
            "eviction-minimum-reclaim", "eviction-pressure-transition-period", "fail-swap-on", "file-check-frequency",
            "hairpin-mode", "image-gc-high-threshold", "image-gc-low-threshold", "kube-reserved", "system-reserved",
            "kubelet-cgroups", "runtime-cgroups", "system-cgroups", "max-pods", "node-labels", "node-status-update-frequency",
            "pod-cidr", "pod-infra-container-image", "pod-manifest-path", "pod-max-pids", "pods-per-core",
            "provider-id", "register-node", "register-with-taints", "resolv-conf", "root-dir", "rotate-certificates",
            "rotate-server-certificates", "runtime-request-timeout", "serialize-image-pulls", "streaming-connection-idle-timeout",
            "sync-frequency", "volume-plugin-dir", "lock-file", "exit-on-lock-contention", "seccomp-default",
            "housekeeping-interval", "max-open-files", "node-status-max-images", "protect-kernel-defaults",
            "reserved-cpus", "topology-manager-policy", "local-storage-capacity-isolation", "event-qps", "event-burst",
            "registry-qps", "registry-burst", "make-iptables-util-chains", "enable-server", "enable-debugging-handlers",
            "allowed-unsafe-sysctls", "kernel-memcg-notification", "keep-terminated-pod-volumes", "minimum-container-ttl-duration",
            "node-lease-duration-seconds", "image-credential-provider-config", "image-credential-provider-bin-dir");

    static final Map<String, Set<String>> BY_COMPONENT = Map.of(
            "kube-apiserver", union(COMMON, KUBE_APISERVER),
            "kube-controller-manager", union(COMMON, KUBE_CONTROLLER_MANAGER),
            "kube-proxy", union(COMMON, KUBE_PROXY),
            "kubelet", union(COMMON, KUBELET));

    private static final Set<String> ANY = BY_COMPONENT.values().stream().flatMap(Set::stream).collect(Collectors.toUnmodifiableSet());

    /** Flags that take no value ({@code --flag} alone means true; the next token is never their value). */
    private static final Set<String> BOOLEAN = Set.of("allocate-node-cidrs", "allow-privileged", "anonymous-auth",
            "profiling", "contention-profiling", "leader-elect", "help", "h", "version", "cleanup", "init-only",
            "masquerade-all", "ipvs-strict-arp", "bind-address-hard-fail", "iptables-localhost-nodeports",
            "enable-aggregator-routing", "enable-bootstrap-token-auth", "enable-garbage-collector",
            "enable-priority-and-fairness", "service-account-lookup", "service-account-extend-token-expiration",
            "watch-cache", "configure-cloud-routes", "use-service-account-credentials", "enable-hostpath-provisioner",
            "fail-swap-on", "register-node", "rotate-certificates", "rotate-server-certificates",
            "serialize-image-pulls", "cgroups-per-qos", "seccomp-default", "protect-kernel-defaults",
            "make-iptables-util-chains", "enable-server", "enable-debugging-handlers", "authentication-token-webhook",
            "exit-on-lock-contention", "logtostderr", "alsologtostderr", "add-dir-header", "one-output", "skip-headers",
            "skip-log-headers", "log-text-split-stream", "log-json-split-stream", "conntrack-tcp-be-liberal",
            "local-storage-capacity-isolation", "kernel-memcg-notification", "authentication-skip-lookup",
            "authentication-tolerate-lookup-failure", "permit-address-sharing", "permit-port-sharing", "enable-logs-handler",
            "aggregator-reject-forwarding-redirect", "encryption-provider-config-automatic-reload",
            "disable-attach-detach-reconcile-sync", "volume-host-allow-local-loopback", "enable-dynamic-provisioning",
            "keep-terminated-pod-volumes");

    /** Other tools' flags people pass by mistake, with the plan flag that says the same. */
    private static final Map<String, String> OTHER_TOOLS = Map.of(
            "pod-network-cidr", "it is kubeadm init's flag; give the pod ranges as --cluster-cidr",
            "service-cidr", "it is kubeadm init's flag; give the service ranges as --service-cluster-ip-range",
            "pod-subnet", "it is a kubeadm/kind config field; give the pod ranges as --cluster-cidr",
            "service-subnet", "it is a kubeadm/kind config field; give the service ranges as --service-cluster-ip-range",
            "ip-family", "it is a kind config field (networking.ipFamily); give both families' ranges in --cluster-cidr and --service-cluster-ip-range");

    /** {@code name} without dashes; with {@code component} null, known to any component. */
    static boolean known(String component, String name) {
        return component == null ? ANY.contains(name) : BY_COMPONENT.getOrDefault(component, Set.of()).contains(name);
    }

    static boolean isBoolean(String name) {
        return BOOLEAN.contains(name);
    }

    /** The one-line input error for an unknown flag {@code spelled} (as given) named {@code name}. */
    static String unknownMessage(String where, String component, String spelled, String name) {
        String hint = Optional.ofNullable(OTHER_TOOLS.get(name))
                .orElse(component == null
                        ? "check its spelling, or drop it (see 'dualstack plan check --help' and core/README.md for the flags the plan reads)"
                        : "check its spelling, or put it after the component it belongs to");
        String of = component == null ? "kube-apiserver, kube-controller-manager, kube-proxy or kubelet" : component;
        return where + "unknown flag '" + spelled + "': not a flag of " + of + "; " + hint;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        return Stream.concat(a.stream(), b.stream()).collect(Collectors.toUnmodifiableSet());
    }
}
