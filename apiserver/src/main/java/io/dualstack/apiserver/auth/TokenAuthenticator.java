package io.dualstack.apiserver.auth;

import io.dualstack.apiserver.pki.ClusterPki;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Static bearer-token authentication: one admin token per cluster, kept owner-only in
 * {@code <stateDir>/token}. Comparison is constant-time.
 */
public final class TokenAuthenticator {
    private final byte[] token;

    public TokenAuthenticator(String token) {
        if (token.isEmpty()) throw new IllegalArgumentException("empty token");
        this.token = token.getBytes(StandardCharsets.UTF_8);
    }

    public String token() {
        return new String(token, StandardCharsets.UTF_8);
    }

    /** True when the {@code Authorization} header value carries this token. */
    public boolean authenticate(String authorizationHeader) {
        if (authorizationHeader == null) return false;
        String h = authorizationHeader.trim();
        if (h.length() < 7 || !h.regionMatches(true, 0, "Bearer ", 0, 7)) return false;
        byte[] given = h.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, token);
    }

    /**
     * Uses {@code configured} when non-empty (and stores it), else the token in {@code file}, else a
     * new random token (stored).
     */
    public static TokenAuthenticator loadOrCreate(Path file, String configured) throws IOException {
        String t = configured;
        if (t.isEmpty() && Files.exists(file)) t = Files.readString(file).trim();
        if (t.isEmpty()) {
            byte[] b = new byte[32];
            new SecureRandom().nextBytes(b);
            t = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
        }
        if (!Files.exists(file) || !Files.readString(file).trim().equals(t)) {
            Files.createDirectories(file.toAbsolutePath().getParent());
            ClusterPki.writePrivate(file, t + "\n");
        }
        return new TokenAuthenticator(t);
    }
}
