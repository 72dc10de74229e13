package io.dualstack.apiserver.storage;

import java.util.Comparator;
import java.util.List;
import java.util.HashSet;
import java.util.Set;

/** Key helpers shared by the implementations. */
final class Keys {
    private Keys() {}

    /**
     * Orders strings by Unicode code point, which is the order of their UTF-8 bytes — the order
     * SQLite's BINARY collation (and etcd) use — so every implementation lists keys alike.
     */
    static final Comparator<String> ORDER = Keys::compare;

    static int compare(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            char x = a.charAt(i), y = b.charAt(i);
            if (x != y) {
                return fix(x) - fix(y);
            }
        }
        return a.length() - b.length();
    }

    // UTF-16 order differs from code point order only between surrogates and U+E000..U+FFFF.
    private static int fix(char c) {
        if (c >= 0xD800) {
            return c <= 0xDFFF ? c + 0x2000 : c - 0x800;
        }
        return c;
    }

    static void checkKey(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("key must not be empty");
        }
    }

    static String opKey(Store.Op op) {
        if (op instanceof Store.Put p) {
            return p.key();
        }
        return ((Store.Delete) op).key();
    }

    /** etcd rejects a txn that names one key twice in its operations; so do we. */
    static void checkTxn(List<Store.Compare> compares, List<Store.Op> ops) {
        for (Store.Compare c : compares) {
            checkKey(c.key());
            if (c.modRevision() < 0) throw new IllegalArgumentException("compare revision must be >= 0");
        }
        Set<String> seen = new HashSet<>();
        for (Store.Op op : ops) {
            String k = opKey(op);
            checkKey(k);
            if (op instanceof Store.Put p && p.value() == null) {
                throw new IllegalArgumentException("value of " + k + " must not be null");
            }
            if (!seen.add(k)) {
                throw new IllegalArgumentException("duplicate key given in txn request: " + k);
            }
        }
    }

    static boolean matches(String key, String prefix) {
        return prefix == null || key.startsWith(prefix);
    }
}
