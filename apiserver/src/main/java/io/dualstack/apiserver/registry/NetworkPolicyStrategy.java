package io.dualstack.apiserver.registry;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.api.model.networking.v1.IPBlock;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicySpec;

import java.util.ArrayList;
import java.util.List;

/**
 * NetworkPolicy admission as upstream's {@code networkpolicy} strategy: defaulting (port protocol
 * TCP, policyTypes from the rules present) and the validation that concerns addresses and ports
 * (protocols, port numbers, endPort, ipBlock CIDRs of either family and their excepts).
 */
public final class NetworkPolicyStrategy implements ResourceStrategy<NetworkPolicy> {
    private static final List<String> PROTOCOLS = List.of("TCP", "UDP", "SCTP");

    @Override
    public void prepareForCreate(NetworkPolicy obj, AdmissionContext ctx) {
        defaults(obj);
    }

    @Override
    public void prepareForUpdate(NetworkPolicy newObj, NetworkPolicy oldObj, AdmissionContext ctx) {
        defaults(newObj);
    }

    @Override
    public List<StatusCause> validateCreate(NetworkPolicy obj) {
        return validate(obj.getSpec());
    }

    @Override
    public List<StatusCause> validateUpdate(NetworkPolicy newObj, NetworkPolicy oldObj) {
        return validate(newObj.getSpec());
    }

    static void defaults(NetworkPolicy np) {
        NetworkPolicySpec s = np.getSpec();
        if (s == null) return;
        if (s.getIngress() != null) s.getIngress().forEach(r -> defaultPorts(r.getPorts()));
        if (s.getEgress() != null) s.getEgress().forEach(r -> defaultPorts(r.getPorts()));
        if (s.getPolicyTypes() == null || s.getPolicyTypes().isEmpty()) {
            List<String> types = new ArrayList<>(List.of("Ingress"));
            if (s.getEgress() != null && !s.getEgress().isEmpty()) types.add("Egress");
            s.setPolicyTypes(types);
        }
    }

    private static void defaultPorts(List<NetworkPolicyPort> ports) {
        if (ports == null) return;
        for (NetworkPolicyPort p : ports) if (p.getProtocol() == null) p.setProtocol("TCP");
    }

    static List<StatusCause> validate(NetworkPolicySpec s) {
        List<StatusCause> errs = new ArrayList<>();
        if (s == null) return errs;
        if (s.getIngress() != null) {
            for (int i = 0; i < s.getIngress().size(); i++) {
                String p = "spec.ingress[" + i + "]";
                ports(s.getIngress().get(i).getPorts(), p + ".ports", errs);
                peers(s.getIngress().get(i).getFrom(), p + ".from", errs);
            }
        }
        if (s.getEgress() != null) {
            for (int i = 0; i < s.getEgress().size(); i++) {
                String p = "spec.egress[" + i + "]";
                ports(s.getEgress().get(i).getPorts(), p + ".ports", errs);
                peers(s.getEgress().get(i).getTo(), p + ".to", errs);
            }
        }
        if (s.getPolicyTypes() != null) {
            for (int i = 0; i < s.getPolicyTypes().size(); i++) {
                String t = s.getPolicyTypes().get(i);
                if (!t.equals("Ingress") && !t.equals("Egress")) {
                    errs.add(notSupported("spec.policyTypes[" + i + "]", t, List.of("Ingress", "Egress")));
                }
            }
        }
        return errs;
    }

    private static void ports(List<NetworkPolicyPort> ports, String path, List<StatusCause> errs) {
        if (ports == null) return;
        for (int i = 0; i < ports.size(); i++) {
            NetworkPolicyPort port = ports.get(i);
            String p = path + "[" + i + "]";
            if (port.getProtocol() != null && !PROTOCOLS.contains(port.getProtocol())) {
                errs.add(notSupported(p + ".protocol", port.getProtocol(), PROTOCOLS));
            }
            IntOrString n = port.getPort();
            if (n != null && n.getIntVal() != null) {
                if (n.getIntVal() < 1 || n.getIntVal() > 65535) {
                    errs.add(invalid(p + ".port", String.valueOf(n.getIntVal()), "must be between 1 and 65535, inclusive"));
                }
                if (port.getEndPort() != null && port.getEndPort() < n.getIntVal()) {
                    errs.add(invalid(p + ".endPort", String.valueOf(port.getEndPort()), "must be greater than or equal to `port`"));
                }
            } else if (port.getEndPort() != null) {
                errs.add(new StatusCause(p + ".endPort", "Forbidden: may not be specified when `port` is non-numeric", "FieldValueForbidden"));
            }
        }
    }

    private static void peers(List<NetworkPolicyPeer> peers, String path, List<StatusCause> errs) {
        if (peers == null) return;
        for (int i = 0; i < peers.size(); i++) {
            IPBlock b = peers.get(i).getIpBlock();
            if (b == null) continue;
            String p = path + "[" + i + "].ipBlock";
            IPAddress cidr = cidr(b.getCidr());
            if (cidr == null) {
                errs.add(invalid(p + ".cidr", b.getCidr() == null ? "" : b.getCidr(), "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"));
                continue;
            }
            if (b.getExcept() == null) continue;
            for (int j = 0; j < b.getExcept().size(); j++) {
                String e = b.getExcept().get(j);
                IPAddress ex = cidr(e);
                String ep = p + ".except[" + j + "]";
                if (ex == null) {
                    errs.add(invalid(ep, e, "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"));
                } else if (ex.getIPVersion() != cidr.getIPVersion() || !cidr.toPrefixBlock().contains(ex)
                        || ex.getNetworkPrefixLength() <= cidr.getNetworkPrefixLength()) {
                    errs.add(invalid(ep, e, "must be a strict subset of `cidr`"));
                }
            }
        }
    }

    private static IPAddress cidr(String s) {
        if (s == null || !s.contains("/")) return null;
        IPAddress a = new IPAddressString(s).getAddress();
        return a == null || !a.isPrefixed() ? null : a;
    }

    private static StatusCause notSupported(String field, String value, List<String> supported) {
        StringBuilder b = new StringBuilder("Unsupported value: \"").append(value).append("\": supported values: ");
        for (int i = 0; i < supported.size(); i++) {
            if (i > 0) b.append(", ");
            b.append('"').append(supported.get(i)).append('"');
        }
        return new StatusCause(field, b.toString(), "FieldValueNotSupported");
    }

    private static StatusCause invalid(String field, String value, String detail) {
        return new StatusCause(field, "Invalid value: \"" + value + "\": " + detail, "FieldValueInvalid");
    }
}
