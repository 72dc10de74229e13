package io.dualstack.apiserver.selectors;

import io.dualstack.apiserver.registry.ApiException;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A parsed label selector in upstream's string syntax ({@code k8s.io/apimachinery/pkg/labels}):
 * {@code key}, {@code !key}, {@code key=v}, {@code key==v}, {@code key!=v}, {@code key in (a,b)},
 * {@code key notin (a,b)}, {@code key>n}, {@code key<n}; requirements are ANDed.
 */
public record LabelSelector(List<Requirement> requirements) {

    public static final LabelSelector EVERYTHING = new LabelSelector(List.of());

    public enum Op { EXISTS, NOT_EXISTS, EQUALS, NOT_EQUALS, IN, NOT_IN, GT, LT }

    public record Requirement(String key, Op op, Set<String> values) {
        boolean matches(Map<String, String> labels) {
            String v = labels.get(key);
            boolean has = labels.containsKey(key);
            return switch (op) {
                case EXISTS -> has;
                case NOT_EXISTS -> !has;
                case EQUALS, IN -> has && values.contains(v);
                case NOT_EQUALS, NOT_IN -> !has || !values.contains(v);
                case GT, LT -> {
                    if (!has) yield false;
                    try {
                        long l = Long.parseLong(v), r = Long.parseLong(values.iterator().next());
                        yield op == Op.GT ? l > r : l < r;
                    } catch (NumberFormatException e) {
                        yield false;
                    }
                }
            };
        }
    }

    public boolean matches(Map<String, String> labels) {
        for (Requirement r : requirements) if (!r.matches(labels)) return false;
        return true;
    }

    public boolean isEmpty() {
        return requirements.isEmpty();
    }

    /** Parses {@code s}; a malformed selector is a 400 BadRequest. */
    public static LabelSelector parse(String s) {
        if (s == null || s.isBlank()) return EVERYTHING;
        List<Requirement> out = new ArrayList<>();
        for (String part : splitTopLevel(s)) {
            String p = part.trim();
            if (p.isEmpty()) throw bad(s, "found '', expected: !, identifier, or 'end of string'");
            out.add(requirement(s, p));
        }
        return new LabelSelector(List.copyOf(out));
    }

    private static List<String> splitTopLevel(String s) {
        List<String> parts = new ArrayList<>();
        int depth = 0, start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '(') depth++;
            else if (c == ')') depth--;
            else if (c == ',' && depth == 0) {
                parts.add(s.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(s.substring(start));
        return parts;
    }

    private static Requirement requirement(String whole, String p) {
        if (p.startsWith("!")) return new Requirement(key(whole, p.substring(1).trim()), Op.NOT_EXISTS, Set.of());
        java.util.regex.Matcher m = SET.matcher(p);
        if (m.matches()) {
            Set<String> vals = new LinkedHashSet<>();
            for (String v : m.group(3).split(",")) {
                String t = v.trim();
                if (!t.isEmpty()) vals.add(value(whole, t));
            }
            return new Requirement(key(whole, m.group(1)), m.group(2).equals("in") ? Op.IN : Op.NOT_IN, vals);
        }
        for (String[] op : OPS) {
            int i = p.indexOf(op[0]);
            if (i > 0) {
                String k = key(whole, p.substring(0, i).trim());
                String v = p.substring(i + op[0].length()).trim();
                Op o = Op.valueOf(op[1]);
                if ((o == Op.GT || o == Op.LT) && !v.matches("-?[0-9]+")) throw bad(whole, "for 'Gt', 'Lt' operators, the value must be an integer");
                return new Requirement(k, o, Set.of(value(whole, v)));
            }
        }
        return new Requirement(key(whole, p), Op.EXISTS, Set.of());
    }

    private static final java.util.regex.Pattern SET = java.util.regex.Pattern.compile("^\\s*([^\\s!=<>(),]+)\\s+(in|notin)\\s*\\((.*)\\)\\s*$");
    private static final String[][] OPS = {{"!=", "NOT_EQUALS"}, {"==", "EQUALS"}, {"=", "EQUALS"}, {">", "GT"}, {"<", "LT"}};

    private static String key(String whole, String k) {
        List<String> errs = io.dualstack.apiserver.validation.Names.qualifiedName(k);
        if (!errs.isEmpty()) throw bad(whole, "invalid label key \"" + k + "\": " + String.join("; ", errs));
        return k;
    }

    private static String value(String whole, String v) {
        List<String> errs = io.dualstack.apiserver.validation.Names.labelValue(v);
        if (!errs.isEmpty()) throw bad(whole, "invalid label value: \"" + v + "\": at key: " + String.join("; ", errs));
        return v;
    }

    private static ApiException bad(String whole, String why) {
        return ApiException.badRequest("unable to parse requirement: " + why);
    }
}
