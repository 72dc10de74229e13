package io.dualstack.dns;

import java.util.Locale;
import java.util.Optional;

/**
 * How {@code <a-b-c-d>.<ns>.pod.<domain>} names are answered, as CoreDNS's {@code pods} option.
 */
public enum PodsMode {
    /** Pod names are not answered: NXDOMAIN. CoreDNS's default. */
    DISABLED,
    /** Any well-formed dashed address in an existing namespace is answered without checking Pods. */
    INSECURE,
    /** Answered only if a Pod in that namespace has that address (needs a watch on Pods). */
    VERIFIED;

    /** The option spelling ({@code disabled}, {@code insecure}, {@code verified}). */
    public String spelling() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<PodsMode> parse(String s) {
        for (PodsMode m : values()) if (m.spelling().equals(s)) return Optional.of(m);
        return Optional.empty();
    }
}
