package io.dualstack.core.plan;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import inet.ipaddr.IPAddress;
import io.dualstack.core.IpFamily;
import io.dualstack.core.net.Cidrs;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads plan inputs into a {@link PlanBuilder}: upstream flags (optionally scoped by a component
 * name token), flags files (one component per line), and multi-document YAML/JSON holding kubeadm
 * v1beta3/v1beta4 Cluster/Init/JoinConfiguration, kind v1alpha4 Cluster, KubeProxyConfiguration,
 * KubeletConfiguration and dualstack's own ClusterPlan.
 */
final class PlanReader {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static final Set<String> COMPONENTS = Set.of("kube-apiserver", "kube-controller-manager", "kube-proxy", "kubelet");

    private final PlanBuilder b;
    private final List<IPAddress> calicoPools = new ArrayList<>();

    PlanReader(PlanBuilder b) {
        this.b = b;
    }

    // ---------------------------------------------------------------- flags

    /** A group of flags that belongs to one component invocation (component may be null: unscoped). */
    private class FlagGroup {
        final String component;
        final String where;
        String hostname;
        final List<List<IPAddress>> nodeIps = new ArrayList<>();
        final List<String> nodeIpSources = new ArrayList<>();

        FlagGroup(String component, String where) {
            this.component = component;
            this.where = where;
        }

        String src(String flag) {
            String c = component == null ? "" : component + " ";
            return where + c + "--" + flag;
        }

        void finish() {
            for (int i = 0; i < nodeIps.size(); i++) {
                String name = i == 0 && hostname != null ? hostname
                        : (hostname != null ? hostname + (i + 1) : "node" + (b.nodeCount() + 1));
                b.node(name, Plans.roleFromName(name), nodeIps.get(i), nodeIpSources.get(i));
            }
            if (nodeIps.isEmpty() && hostname != null && "kubelet".equals(component)) {
                b.node(hostname, Plans.roleFromName(hostname), List.of(), src("hostname-override"));
            }
        }
    }

    /** Flags given on the command line: {@code [component] --flag=value ...}. */
    void readFlags(List<String> args, String where) throws PlanInputException {
        FlagGroup g = new FlagGroup(null, where);
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (COMPONENTS.contains(a)) {
                g.finish();
                g = new FlagGroup(a, where);
                continue;
            }
            if (!a.startsWith("-")) {
                throw new PlanInputException(where + "unexpected argument '" + a + "' among flags; write flags as --name=value");
            }
            String name = a.replaceFirst("^--?", "");
            String value;
            int eq = name.indexOf('=');
            String bare = eq >= 0 ? name.substring(0, eq) : name;
            if (!UpstreamFlags.known(null, bare)) {
                // before taking a value: an unknown flag must not swallow the next token (e.g. a file name)
                throw new PlanInputException(UpstreamFlags.unknownMessage(where, null, eq >= 0 ? a.substring(0, a.indexOf('=')) : a, bare));
            }
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (!UpstreamFlags.isBoolean(name) && i + 1 < args.size() && !args.get(i + 1).startsWith("-")
                    && !COMPONENTS.contains(args.get(i + 1))) {
                value = args.get(++i);
            } else {
                value = "true";
            }
            flag(g, name, unquote(value));
        }
        g.finish();
    }

    private static String unquote(String v) {
        if (v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) {
            return v.substring(1, v.length() - 1);
        }
        return v;
    }

    private static final java.util.regex.Pattern ENV_LINE = java.util.regex.Pattern.compile("([A-Z][A-Z0-9_]*)=[\"']?(.*?)[\"']?");

    static boolean looksLikeFlagsFile(String text) {
        for (String line : text.split("\n")) {
            String t = line.trim();
            if (t.isEmpty() || t.startsWith("#")) continue;
            String first = t.split("\\s+")[0];
            return t.matches("--[a-z].*") || COMPONENTS.contains(first) || ENV_LINE.matcher(t).matches();
        }
        return false;
    }

    /**
     * A flags file: each non-comment line is {@code [component] --flag=value ...} (a trailing backslash
     * continues the line), or an environment line such as kubeadm's
     * {@code KUBELET_KUBEADM_ARGS="--node-ip=..."} (kubelet flags; other variables' flags are unscoped).
     */
    void readFlagsFile(String name, String text) throws PlanInputException {
        String[] lines = text.split("\n");
        for (int n = 0; n < lines.length; n++) {
            int lineNo = n + 1;
            StringBuilder joined = new StringBuilder(lines[n].trim());
            while (joined.toString().endsWith("\\") && n + 1 < lines.length) {
                joined.setLength(joined.length() - 1);
                joined.append(' ').append(lines[++n].trim());
            }
            String t = joined.toString().trim();
            if (t.isEmpty() || t.startsWith("#")) continue;
            java.util.regex.Matcher env = ENV_LINE.matcher(t);
            List<String> tokens = new ArrayList<>();
            if (env.matches()) {
                if (env.group(1).contains("KUBELET")) tokens.add("kubelet");
                t = env.group(2).trim();
                if (t.isEmpty()) continue;
            }
            tokens.addAll(List.of(t.split("\\s+")));
            readFlags(tokens, name + ":" + lineNo + ": ");
        }
    }

    private List<IPAddress> cidrs(String value, String source) throws PlanInputException {
        try {
            return Cidrs.parseCidrList(value);
        } catch (IllegalArgumentException e) {
            throw new PlanInputException(source + ": " + e.getMessage()
                    + "; write CIDRs like 10.244.0.0/16,fd00:10:244::/56");
        }
    }

    private List<IPAddress> addresses(String value, String source) throws PlanInputException {
        try {
            return Cidrs.parseAddressList(value);
        } catch (IllegalArgumentException e) {
            throw new PlanInputException(source + ": " + e.getMessage() + "; write node IPs like 192.168.1.10,fd00::1");
        }
    }

    private int mask(String value, String source) throws PlanInputException {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new PlanInputException(source + ": invalid mask size '" + value + "'; give a number such as 24 or 64");
        }
    }

    private ClusterPlan.PortRange portRange(String value, String source) throws PlanInputException {
        String v = value.trim();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,5})(?:-(\\d{1,5}))?").matcher(v);
        if (!m.matches()) {
            throw new PlanInputException(source + ": invalid port range '" + value + "'; write it as 30000-32767");
        }
        int first = Integer.parseInt(m.group(1));
        int last = m.group(2) == null ? first : Integer.parseInt(m.group(2));
        return new ClusterPlan.PortRange(first, last);
    }

    private void flag(FlagGroup g, String name, String value) throws PlanInputException {
        String c = g.component;
        String src = g.src(name);
        switch (name) {
            case "service-cluster-ip-range" -> {
                if (c == null || c.equals("kube-apiserver") || c.equals("kube-controller-manager")) {
                    b.set(PlanField.SERVICE_CIDRS, cidrs(value, src), src);
                } else ignored(src);
            }
            case "cluster-cidr" -> {
                List<IPAddress> v = cidrs(value, src);
                if (c == null || c.equals("kube-controller-manager")) b.set(PlanField.CLUSTER_CIDRS, v, src);
                // unscoped --cluster-cidr is the controller manager's; kube-proxy's follows it unless set itself
                if ("kube-proxy".equals(c)) b.set(PlanField.KUBE_PROXY_CIDRS, v, src);
                if (c != null && !c.equals("kube-controller-manager") && !c.equals("kube-proxy")) ignored(src);
            }
            case "node-cidr-mask-size-ipv4" -> b.set(PlanField.NODE_MASK_IPV4, mask(value, src), src);
            case "node-cidr-mask-size-ipv6" -> b.set(PlanField.NODE_MASK_IPV6, mask(value, src), src);
            case "node-cidr-mask-size" -> b.setSingleMask(mask(value, src), src);
            case "service-node-port-range" -> b.set(PlanField.NODE_PORT_RANGE, portRange(value, src), src);
            case "proxy-mode" -> b.set(PlanField.KUBE_PROXY_MODE, value.trim(), src);
            case "cluster-domain" -> b.set(PlanField.CLUSTER_DOMAIN, value.trim(), src);
            case "hostname-override" -> g.hostname = value.trim();
            case "allocate-node-cidrs" -> { }
            case "advertise-address" -> {
                if (c == null || c.equals("kube-apiserver")) b.setAdvertiseAddress(addresses(value, src).get(0), src);
                else ignored(src);
            } // rendered by plan render --to flags; not a plan value
            case "node-ip" -> {
                g.nodeIps.add(addresses(value, src));
                g.nodeIpSources.add(src);
            }
            default -> ignored(src);
        }
    }

    private void ignored(String src) {
        b.findings.add(Finding.info("ignored-flag", src, src + " is not part of the network plan; not checked"));
    }

    // ---------------------------------------------------------------- YAML

    /** Reads one file's text (flags file, or YAML/JSON with one or more documents). */
    void readText(String name, String text) throws PlanInputException {
        if (looksLikeFlagsFile(text)) {
            readFlagsFile(name, text);
            return;
        }
        List<JsonNode> docs = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(text)) {
            while (it.hasNextValue()) {
                JsonNode d = it.nextValue();
                docs.add(d);
            }
        } catch (JsonProcessingException e) {
            throw new PlanInputException(yamlError(name, e));
        } catch (IOException | RuntimeException e) {
            Throwable cause = e.getCause() instanceof JsonProcessingException j ? j : e;
            if (cause instanceof JsonProcessingException j) throw new PlanInputException(yamlError(name, j));
            throw new PlanInputException(name + ": cannot read: " + firstLine(e.getMessage()));
        }
        int n = 0;
        int used = 0;
        calicoPools.clear();
        for (JsonNode d : docs) {
            n++;
            if (d == null || d.isNull() || d.isMissingNode()) continue;
            if (!d.isObject()) {
                throw new PlanInputException(name + ": document " + n + " is not a mapping; give kubeadm, kind, "
                        + "KubeProxyConfiguration or KubeletConfiguration documents, or a flags file");
            }
            used++;
            readDocument(name, n, (ObjectNode) d);
        }
        if (!calicoPools.isEmpty()) {
            String src = name + ": IPPool.spec.cidr";
            b.set(PlanField.CLUSTER_CIDRS, List.copyOf(calicoPools), src);
        }
        if (used == 0) {
            throw new PlanInputException(name + ": no documents; give kubeadm, kind, KubeProxyConfiguration or "
                    + "KubeletConfiguration documents, or a flags file");
        }
    }

    /** "file:LINE:COL: YAML syntax error: <what the parser expected>; fix ...", line and column 1-based. */
    static String yamlError(String name, JsonProcessingException e) {
        JsonLocation loc = e.getLocation();
        String what = firstLine(e.getOriginalMessage());
        Throwable c = e.getCause();
        if (e instanceof com.fasterxml.jackson.dataformat.yaml.JacksonYAMLParseException && c instanceof org.yaml.snakeyaml.error.MarkedYAMLException m) {
            String problem = m.getProblem() == null ? "" : m.getProblem().trim();
            String context = m.getContext() == null ? "" : m.getContext().trim();
            what = context.isEmpty() ? problem : problem.isEmpty() ? context : context + ": " + problem;
            if (m.getProblemMark() != null) {
                return name + ":" + (m.getProblemMark().getLine() + 1) + ":" + (m.getProblemMark().getColumn() + 1)
                        + ": YAML syntax error: " + what + "; fix the YAML at that line and column";
            }
        }
        String pos = loc == null ? "" : ":" + loc.getLineNr() + ":" + loc.getColumnNr();
        return name + pos + ": YAML syntax error: " + what + "; fix the YAML at that line and column";
    }

    private static String firstLine(String s) {
        if (s == null) return "unknown error";
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).trim();
    }

    private void readDocument(String file, int n, ObjectNode d) throws PlanInputException {
        if (d.has("plan") && d.get("plan").isObject() && !d.has("kind")) {
            PlanJson.read((ObjectNode) d.get("plan"), file + ": plan.", b);
            return;
        }
        String apiVersion = d.path("apiVersion").asText("");
        String kind = d.path("kind").asText("");
        if (apiVersion.isEmpty() || kind.isEmpty()) {
            throw new PlanInputException(file + ": document " + n + " has no apiVersion/kind; give kubeadm, kind, "
                    + "KubeProxyConfiguration, KubeletConfiguration or dualstack ClusterPlan documents");
        }
        String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
        String where = file + ": " + kind + ".";
        switch (group) {
            case "kubeadm.k8s.io" -> {
                String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
                if (!version.equals("v1beta3") && !version.equals("v1beta4")) {
                    throw new PlanInputException(file + ": kubeadm " + apiVersion + " is not supported; use kubeadm.k8s.io/v1beta4 or v1beta3");
                }
                kubeadm(where, kind, version, d, null);
            }
            case "kind.x-k8s.io" -> {
                if (!apiVersion.equals("kind.x-k8s.io/v1alpha4") || !kind.equals("Cluster")) {
                    throw new PlanInputException(file + ": " + apiVersion + " " + kind + " is not supported; use kind.x-k8s.io/v1alpha4 Cluster");
                }
                kindCluster(file, where, d);
            }
            case "kubeproxy.config.k8s.io" -> {
                if (kind.equals("KubeProxyConfiguration")) kubeProxy(where, d);
                else ignoredDocument(file, n, apiVersion, kind);
            }
            case "kubelet.config.k8s.io" -> {
                if (kind.equals("KubeletConfiguration")) kubelet(where, d);
                else ignoredDocument(file, n, apiVersion, kind);
            }
            case "projectcalico.org" -> {
                if (kind.equals("IPPool") && d.path("spec").hasNonNull("cidr")) {
                    calicoPools.addAll(cidrs(d.path("spec").get("cidr").asText(), where + "spec.cidr"));
                } else ignoredDocument(file, n, apiVersion, kind);
            }
            case "dualstack.io" -> {
                if (kind.equals("ClusterPlan")) PlanJson.read(d, where, b);
                else ignoredDocument(file, n, apiVersion, kind);
            }
            default -> ignoredDocument(file, n, apiVersion, kind);
        }
    }

    private void ignoredDocument(String file, int n, String apiVersion, String kind) {
        b.findings.add(Finding.warning("ignored-document", file,
                file + ": document " + n + " (" + apiVersion + " " + kind + ") is not a plan format and was not read",
                "pass only kubeadm, kind, KubeProxyConfiguration, KubeletConfiguration or ClusterPlan documents"));
    }

    private void unknownFields(String where, JsonNode node, Set<String> known, String fixHint) {
        Iterator<String> it = node.fieldNames();
        while (it.hasNext()) {
            String f = it.next();
            if (!known.contains(f)) {
                b.findings.add(Finding.warning("unknown-field", where + f,
                        where + f + " is not a field of this kind upstream; it is ignored",
                        fixHint.isEmpty() ? "remove " + f + " or fix its spelling" : fixHint));
            }
        }
    }

    // ---------------------------------------------------------------- kubeadm

    static final Set<String> KUBEADM_NETWORKING = Set.of("serviceSubnet", "podSubnet", "dnsDomain");

    /**
     * One kubeadm document. {@code node} is set when the document is a kind node-level patch (the
     * node name comes from kind, not from nodeRegistration.name); version null means a kind patch
     * without apiVersion (both extraArgs shapes accepted).
     */
    private void kubeadm(String where, String kind, String version, JsonNode d, KindNode node) throws PlanInputException {
        switch (kind) {
            case "ClusterConfiguration" -> {
                JsonNode net = d.path("networking");
                if (net.isObject()) {
                    unknownFields(where + "networking.", net, KUBEADM_NETWORKING, "");
                    if (net.hasNonNull("podSubnet") && !net.get("podSubnet").asText().isBlank()) {
                        String s = where + "networking.podSubnet";
                        b.set(PlanField.CLUSTER_CIDRS, cidrs(net.get("podSubnet").asText(), s), s);
                    }
                    if (net.hasNonNull("serviceSubnet") && !net.get("serviceSubnet").asText().isBlank()) {
                        String s = where + "networking.serviceSubnet";
                        b.set(PlanField.SERVICE_CIDRS, cidrs(net.get("serviceSubnet").asText(), s), s);
                    }
                    if (net.hasNonNull("dnsDomain")) {
                        b.set(PlanField.CLUSTER_DOMAIN, net.get("dnsDomain").asText(), where + "networking.dnsDomain");
                    }
                }
                if (version != null) {
                    b.setDefault(PlanField.SERVICE_CIDRS, List.of(Cidrs.parseCidr("10.96.0.0/12")),
                            where + "networking.serviceSubnet (kubeadm default 10.96.0.0/12)");
                }
                extraArgs(where + "apiServer.extraArgs", d.path("apiServer").path("extraArgs"), version, "kube-apiserver");
                extraArgs(where + "controllerManager.extraArgs", d.path("controllerManager").path("extraArgs"), version,
                        "kube-controller-manager");
            }
            case "InitConfiguration", "JoinConfiguration" -> {
                JsonNode reg = d.path("nodeRegistration");
                JsonNode adv = d.path("localAPIEndpoint").path("advertiseAddress");
                if (!adv.isMissingNode() && !adv.asText().isBlank()) {
                    String s = where + "localAPIEndpoint.advertiseAddress";
                    b.setAdvertiseAddress(addresses(adv.asText(), s).get(0), s);
                }
                ClusterPlan.Role role = kind.equals("InitConfiguration") || d.has("controlPlane")
                        ? ClusterPlan.Role.CONTROL_PLANE : ClusterPlan.Role.WORKER;
                String name;
                if (node != null) {
                    name = node.name;
                    role = node.role;
                } else if (reg.hasNonNull("name")) {
                    name = reg.get("name").asText();
                } else {
                    name = defaultNodeName(role);
                }
                List<IPAddress> ips = List.of();
                String src = where + "nodeRegistration.kubeletExtraArgs.node-ip";
                for (Map.Entry<String, String> e : args(where + "nodeRegistration.kubeletExtraArgs",
                        reg.path("kubeletExtraArgs"), version)) {
                    String s = where + "nodeRegistration.kubeletExtraArgs." + e.getKey();
                    switch (e.getKey()) {
                        case "node-ip" -> ips = addresses(e.getValue(), s);
                        case "cluster-domain" -> b.set(PlanField.CLUSTER_DOMAIN, e.getValue().trim(), s);
                        default -> ignored(s);
                    }
                }
                b.node(name, role, ips, src + " (node " + name + ")");
            }
            case "KubeProxyConfiguration" -> kubeProxy(where, d);
            case "KubeletConfiguration" -> kubelet(where, d);
            default -> b.findings.add(Finding.warning("ignored-document", where.substring(0, where.length() - 1),
                    "kubeadm kind " + kind + " is not part of the network plan and was not read",
                    "pass ClusterConfiguration, InitConfiguration or JoinConfiguration"));
        }
    }

    private String defaultNodeName(ClusterPlan.Role role) {
        String base = role == ClusterPlan.Role.CONTROL_PLANE ? "control-plane" : "worker";
        return base;
    }

    private List<Map.Entry<String, String>> args(String where, JsonNode args, String version) throws PlanInputException {
        List<Map.Entry<String, String>> out = new ArrayList<>();
        if (args.isMissingNode() || args.isNull()) return out;
        if (args.isArray()) {
            if ("v1beta3".equals(version)) {
                throw new PlanInputException(where + ": kubeadm v1beta3 extraArgs is a map of flag: value, got a list; "
                        + "use a map or switch to kubeadm.k8s.io/v1beta4");
            }
            for (JsonNode e : args) {
                if (!e.isObject() || !e.has("name")) {
                    throw new PlanInputException(where + ": each v1beta4 extraArgs entry needs name and value, got " + e);
                }
                out.add(Map.entry(e.get("name").asText(), e.path("value").asText("")));
            }
        } else if (args.isObject()) {
            if ("v1beta4".equals(version)) {
                throw new PlanInputException(where + ": kubeadm v1beta4 extraArgs is a list of {name, value}, got a map; "
                        + "write - name: <flag> / value: \"<value>\"");
            }
            Iterator<Map.Entry<String, JsonNode>> it = args.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                out.add(Map.entry(e.getKey(), e.getValue().asText("")));
            }
        } else {
            throw new PlanInputException(where + ": extraArgs must be a list (v1beta4) or a map (v1beta3)");
        }
        return out;
    }

    private void extraArgs(String argsPath, JsonNode args, String version, String component) throws PlanInputException {
        List<Map.Entry<String, String>> list = args(argsPath, args, version);
        if (list.isEmpty()) return;
        FlagGroup g = new FlagGroup(component, "") {
            @Override
            String src(String flag) {
                return argsPath + "." + flag;
            }
        };
        for (Map.Entry<String, String> e : list) flag(g, e.getKey(), e.getValue());
        g.finish();
    }

    // ---------------------------------------------------------------- kind

    private record KindNode(String name, ClusterPlan.Role role) {
    }

    static final Set<String> KIND_TOP = Set.of("kind", "apiVersion", "name", "nodes", "networking", "featureGates",
            "runtimeConfig", "kubeadmConfigPatches", "kubeadmConfigPatchesJSON6902", "containerdConfigPatches",
            "containerdConfigPatchesJSON6902");
    static final Set<String> KIND_NETWORKING = Set.of("ipFamily", "apiServerPort", "apiServerAddress", "podSubnet",
            "serviceSubnet", "disableDefaultCNI", "kubeProxyMode", "dnsSearch");
    static final Set<String> KIND_NODE = Set.of("role", "image", "labels", "extraMounts", "extraPortMappings",
            "kubeadmConfigPatches", "kubeadmConfigPatchesJSON6902");

    private void kindCluster(String file, String where, ObjectNode d) throws PlanInputException {
        unknownFields(where, d, KIND_TOP, "");
        String name = d.path("name").asText(Plans.KIND_DEFAULT_NAME);
        if (!name.matches("[a-z0-9.-]+")) {
            b.findings.add(Finding.error("kind-invalid", where + "name", "'" + name + "' is not a valid cluster name, "
                    + "cluster names must match ^[a-z0-9.-]+$", "use lower-case letters, digits, '.' and '-'"));
        }
        JsonNode net = d.path("networking");
        if (net.isObject()) unknownFields(where + "networking.", net, KIND_NETWORKING, "");
        String ipFamily = net.path("ipFamily").asText("ipv4");
        List<IpFamily> families = switch (ipFamily) {
            case "ipv4" -> List.of(IpFamily.IPv4);
            case "ipv6" -> List.of(IpFamily.IPv6);
            case "dual" -> List.of(IpFamily.IPv4, IpFamily.IPv6);
            default -> throw new PlanInputException(where + "networking.ipFamily: invalid ipFamily '" + ipFamily
                    + "'; kind accepts ipv4, ipv6 or dual");
        };
        String famSrc = where + "networking.ipFamily";
        List<IPAddress> pods = kindSubnet(where + "networking.podSubnet", net.path("podSubnet"), PlanField.CLUSTER_CIDRS,
                families, famSrc, ipFamily, Plans.KIND_POD_IPV4, Plans.KIND_POD_IPV6);
        kindSubnet(where + "networking.serviceSubnet", net.path("serviceSubnet"), PlanField.SERVICE_CIDRS, families, famSrc,
                ipFamily, Plans.KIND_SERVICE_IPV4, Plans.KIND_SERVICE_IPV6);
        if (net.hasNonNull("kubeProxyMode") && !net.get("kubeProxyMode").asText().isBlank()) {
            b.set(PlanField.KUBE_PROXY_MODE, net.get("kubeProxyMode").asText(), where + "networking.kubeProxyMode");
        } else {
            b.setDefault(PlanField.KUBE_PROXY_MODE, "iptables", where + "networking.kubeProxyMode (kind default iptables)");
        }
        b.setDefault(PlanField.NODE_NETWORKS, Plans.labNodeNetworks(pods.stream().map(IpFamily::of).distinct().toList()),
                file + ": nodeNetworks (dualstack lab node networks; kind's docker network is not in the config)");
        // cluster-wide kubeadm patches
        kindPatches(where + "kubeadmConfigPatches", d.path("kubeadmConfigPatches"), null);
        // nodes, named as kind names its node containers
        JsonNode nodes = d.path("nodes");
        int cp = 0;
        int w = 0;
        if (!nodes.isArray() || nodes.isEmpty()) {
            b.node(Plans.kindNodeName(name, ClusterPlan.Role.CONTROL_PLANE, 0), ClusterPlan.Role.CONTROL_PLANE, List.of(),
                    where + "nodes (kind default: one control-plane node)");
            return;
        }
        int i = 0;
        for (JsonNode n : nodes) {
            String nw = where + "nodes[" + i + "].";
            unknownFields(nw, n, KIND_NODE, "");
            String role = n.path("role").asText("control-plane");
            ClusterPlan.Role r = switch (role) {
                case "control-plane" -> ClusterPlan.Role.CONTROL_PLANE;
                case "worker" -> ClusterPlan.Role.WORKER;
                default -> throw new PlanInputException(nw + "role: unknown role '" + role + "'; kind accepts control-plane or worker");
            };
            String nodeName = Plans.kindNodeName(name, r, r == ClusterPlan.Role.CONTROL_PLANE ? cp++ : w++);
            b.node(nodeName, r, List.of(), nw + "role");
            kindPatches(nw + "kubeadmConfigPatches", n.path("kubeadmConfigPatches"), new KindNode(nodeName, r));
            i++;
        }
        if (cp == 0) {
            b.findings.add(Finding.error("kind-invalid", where + "nodes", "kind requires at least one control-plane node; "
                    + where + "nodes has only workers", "add - role: control-plane"));
        }
    }

    private List<IPAddress> kindSubnet(String src, JsonNode value, PlanField field, List<IpFamily> families, String famSrc,
                            String ipFamily, IPAddress v4, IPAddress v6) throws PlanInputException {
        if (value.isMissingNode() || value.isNull() || value.asText().isBlank()) {
            List<IPAddress> def = families.stream().map(f -> f == IpFamily.IPv4 ? v4 : v6).toList();
            b.setDefault(field, def, src + " (kind default for ipFamily " + ipFamily + ")");
            return def;
        }
        List<IPAddress> got = cidrs(value.asText(), src);
        List<IpFamily> gotFamilies = got.stream().map(IpFamily::of).distinct().toList();
        // kind's validateSubnets: single-stack takes exactly one CIDR of that family; dual takes one CIDR
        // (then the cluster is single-stack there) or one per family (too-many/duplicate are checked later)
        if (!ipFamily.equals("dual") && got.size() > 1) {
            b.findings.add(Finding.error("kind-invalid", src, src + " is " + Cidrs.formatList(got)
                            + ": kind rejects it (only one CIDR allowed for single-stack networking; " + famSrc + " is " + ipFamily + ")",
                    "set " + famSrc + " to dual, or give one " + families.get(0) + " CIDR"));
        } else if (!ipFamily.equals("dual") && gotFamilies.get(0) != families.get(0)) {
            b.findings.add(Finding.error("kind-invalid", src, src + " is " + Cidrs.formatList(got) + ": kind rejects it (expected "
                            + families.get(0) + " CIDR for " + families.get(0) + " family; " + famSrc + " is " + ipFamily + ")",
                    "give a " + families.get(0) + " CIDR, or set " + famSrc + " to " + (gotFamilies.get(0) == IpFamily.IPv4 ? "ipv4" : "ipv6")));
        } else if (ipFamily.equals("dual") && got.size() == 1) {
            IpFamily missing = gotFamilies.get(0).other();
            b.findings.add(Finding.error("missing-family", src, src + " is " + Cidrs.formatList(got) + " but " + famSrc
                            + " is dual: kind accepts one CIDR, and the cluster then has no " + missing + " "
                            + (field == PlanField.CLUSTER_CIDRS ? "pod" : "service") + " range",
                    "add the " + missing + " range, e.g. " + Cidrs.format(missing == IpFamily.IPv4 ? v4 : v6)));
        }
        b.set(field, got, src);
        return got;
    }

    private void kindPatches(String where, JsonNode patches, KindNode node) throws PlanInputException {
        if (!patches.isArray()) return;
        int i = 0;
        for (JsonNode p : patches) {
            String pw = where + "[" + i++ + "]";
            JsonNode doc;
            try {
                doc = YAML.readTree(p.asText());
            } catch (JsonProcessingException e) {
                JsonLocation loc = e.getLocation();
                throw new PlanInputException(pw + ": YAML syntax error in patch"
                        + (loc == null ? "" : " at line " + loc.getLineNr() + " column " + loc.getColumnNr()) + ": "
                        + firstLine(e.getOriginalMessage()) + "; fix the patch text");
            }
            if (doc == null || !doc.isObject()) continue;
            String kind = doc.path("kind").asText("");
            String apiVersion = doc.path("apiVersion").asText("");
            String version = apiVersion.startsWith("kubeadm.k8s.io/") ? apiVersion.substring("kubeadm.k8s.io/".length()) : null;
            String w = pw + " " + kind + ".";
            switch (kind) {
                case "ClusterConfiguration", "InitConfiguration", "JoinConfiguration" -> kubeadm(w, kind, version, doc, node);
                case "KubeProxyConfiguration" -> kubeProxy(w, doc);
                case "KubeletConfiguration" -> kubelet(w, doc);
                default -> { }
            }
        }
    }

    // ---------------------------------------------------------------- kube-proxy, kubelet

    static final Set<String> KUBE_PROXY_TOP = Set.of("apiVersion", "kind", "featureGates", "clientConnection",
            "hostnameOverride", "bindAddress", "healthzBindAddress", "metricsBindAddress", "bindAddressHardFail",
            "enableProfiling", "showHiddenMetricsForVersion", "mode", "iptables", "ipvs", "nftables", "winkernel",
            "detectLocalMode", "detectLocal", "clusterCIDR", "nodePortAddresses", "oomScoreAdj", "conntrack",
            "configSyncPeriod", "portRange", "logging", "windowsRunAsService", "linux");

    private void kubeProxy(String where, JsonNode d) throws PlanInputException {
        unknownFields(where, d, KUBE_PROXY_TOP, "");
        if (d.hasNonNull("clusterCIDR") && !d.get("clusterCIDR").asText().isBlank()) {
            String s = where + "clusterCIDR";
            b.set(PlanField.KUBE_PROXY_CIDRS, cidrs(d.get("clusterCIDR").asText(), s), s);
        }
        if (d.hasNonNull("mode") && !d.get("mode").asText().isBlank()) {
            b.set(PlanField.KUBE_PROXY_MODE, d.get("mode").asText(), where + "mode");
        }
    }

    static final Set<String> KUBELET_TOP = Set.of("apiVersion", "kind", "enableServer", "staticPodPath", "podLogsDir",
            "syncFrequency", "fileCheckFrequency", "httpCheckFrequency", "staticPodURL", "staticPodURLHeader", "address",
            "port", "readOnlyPort", "tlsCertFile", "tlsPrivateKeyFile", "tlsCipherSuites", "tlsMinVersion",
            "rotateCertificates", "serverTLSBootstrap", "authentication", "authorization", "registryPullQPS",
            "registryBurst", "imagePullCredentialsVerificationPolicy", "preloadedImagesVerificationAllowlist",
            "eventRecordQPS", "eventBurst", "enableDebuggingHandlers", "enableContentionProfiling", "healthzPort",
            "healthzBindAddress", "oomScoreAdj", "clusterDomain", "clusterDNS", "streamingConnectionIdleTimeout",
            "nodeStatusUpdateFrequency", "nodeStatusReportFrequency", "nodeLeaseDurationSeconds", "imageMinimumGCAge",
            "imageMaximumGCAge", "imageGCHighThresholdPercent", "imageGCLowThresholdPercent", "volumeStatsAggPeriod",
            "kubeletCgroups", "systemCgroups", "cgroupRoot", "cgroupsPerQOS", "cgroupDriver", "cpuManagerPolicy",
            "singleProcessOOMKill", "cpuManagerPolicyOptions", "cpuManagerReconcilePeriod", "memoryManagerPolicy",
            "topologyManagerPolicy", "topologyManagerScope", "topologyManagerPolicyOptions", "qosReserved",
            "runtimeRequestTimeout", "hairpinMode", "maxPods", "podCIDR", "podPidsLimit", "resolvConf", "runOnce",
            "cpuCFSQuota", "cpuCFSQuotaPeriod", "nodeStatusMaxImages", "maxOpenFiles", "contentType", "kubeAPIQPS",
            "kubeAPIBurst", "serializeImagePulls", "maxParallelImagePulls", "evictionHard", "evictionSoft",
            "evictionSoftGracePeriod", "evictionPressureTransitionPeriod", "evictionMaxPodGracePeriod",
            "evictionMinimumReclaim", "mergeDefaultEvictionSettings", "podsPerCore", "enableControllerAttachDetach",
            "protectKernelDefaults", "makeIPTablesUtilChains", "iptablesMasqueradeBit", "iptablesDropBit",
            "featureGates", "failSwapOn", "memorySwap", "containerLogMaxSize", "containerLogMaxFiles",
            "containerLogMaxWorkers", "containerLogMonitorInterval", "configMapAndSecretChangeDetectionStrategy",
            "systemReserved", "kubeReserved", "reservedSystemCPUs", "showHiddenMetricsForVersion",
            "systemReservedCgroup", "kubeReservedCgroup", "enforceNodeAllocatable", "allowedUnsafeSysctls",
            "volumePluginDir", "providerID", "kernelMemcgNotification", "logging", "enableSystemLogHandler",
            "enableSystemLogQuery", "shutdownGracePeriod", "shutdownGracePeriodCriticalPods",
            "shutdownGracePeriodByPodPriority", "crashLoopBackOff", "reservedMemory", "enableProfilingHandler",
            "enableDebugFlagsHandler", "seccompDefault", "memoryThrottlingFactor", "registerWithTaints", "registerNode",
            "tracing", "localStorageCapacityIsolation", "containerRuntimeEndpoint", "imageServiceEndpoint",
            "failCgroupV1", "userNamespaces");

    private void kubelet(String where, JsonNode d) {
        Iterator<String> it = d.fieldNames();
        while (it.hasNext()) {
            String f = it.next();
            if (KUBELET_TOP.contains(f)) continue;
            String low = f.toLowerCase(Locale.ROOT).replace("-", "");
            if (low.equals("nodeip") || low.equals("nodeips")) {
                b.findings.add(Finding.warning("unknown-field", where + f,
                        where + f + " (" + d.get(f).asText() + ") is not a KubeletConfiguration field; the kubelet "
                                + "ignores it and picks its node IP itself, so the node may register single-stack",
                        "pass --node-ip=" + d.get(f).asText() + " to the kubelet (kubeadm: nodeRegistration.kubeletExtraArgs node-ip) and remove " + f));
            } else {
                b.findings.add(Finding.warning("unknown-field", where + f,
                        where + f + " is not a KubeletConfiguration field upstream; it is ignored",
                        "remove " + f + " or fix its spelling"));
            }
        }
        if (d.hasNonNull("clusterDomain")) {
            b.set(PlanField.CLUSTER_DOMAIN, d.get("clusterDomain").asText(), where + "clusterDomain");
        }
    }
}
