package io.dualstack.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Iterator;
import java.util.Optional;

/**
 * Kubeconfig files as kubectl merges them: named {@code clusters}, {@code users} and
 * {@code contexts}; adding an entry replaces the entry of the same name and keeps every other
 * entry and field (other tools' users, preferences, extensions) untouched. Files are written
 * atomically with owner-only permissions (they hold tokens).
 */
public final class Kubeconfigs {
    private Kubeconfigs() {}

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

    /** An empty kubeconfig. */
    public static ObjectNode empty() {
        ObjectNode n = YAML.createObjectNode();
        n.put("apiVersion", "v1");
        n.put("kind", "Config");
        n.putArray("clusters");
        n.putArray("contexts");
        n.put("current-context", "");
        n.putObject("preferences");
        n.putArray("users");
        return n;
    }

    /** The file's contents, or {@link #empty()} when it does not exist or is empty. */
    public static ObjectNode read(Path file) {
        try {
            if (!Files.exists(file) || Files.size(file) == 0) {
                return empty();
            }
            JsonNode n = YAML.readTree(file.toFile());
            if (n == null || n.isMissingNode() || n.isNull()) {
                return empty();
            }
            if (!n.isObject()) {
                throw new IllegalArgumentException("kubeconfig " + file + " is not a YAML mapping");
            }
            return (ObjectNode) n;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read kubeconfig " + file + ": " + e.getMessage(), e);
        }
    }

    public static ObjectNode parse(String yaml) {
        try {
            return (ObjectNode) YAML.readTree(yaml);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a kubeconfig: " + e.getMessage(), e);
        }
    }

    public static String toYaml(ObjectNode config) {
        try {
            return YAML.writeValueAsString(config);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes atomically (temp file + rename), mode 0600, creating parent directories. */
    public static void write(Path file, ObjectNode config) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
                Files.writeString(tmp, toYaml(config));
                try {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write kubeconfig " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * {@code base} with every cluster, user and context of {@code add} merged in (same name:
     * replaced in place; new: appended). Does not change {@code base}'s current context.
     */
    public static ObjectNode merge(ObjectNode base, ObjectNode add) {
        ObjectNode out = base.deepCopy();
        for (String section : new String[] {"clusters", "users", "contexts"}) {
            ArrayNode into = array(out, section);
            for (JsonNode entry : add.path(section)) {
                String name = entry.path("name").asText();
                boolean replaced = false;
                for (int i = 0; i < into.size(); i++) {
                    if (into.get(i).path("name").asText().equals(name)) {
                        into.set(i, entry.deepCopy());
                        replaced = true;
                        break;
                    }
                }
                if (!replaced) {
                    into.add(entry.deepCopy());
                }
            }
        }
        return out;
    }

    public static ObjectNode withCurrentContext(ObjectNode config, String context) {
        ObjectNode out = config.deepCopy();
        out.put("current-context", context);
        return out;
    }

    /**
     * {@code config} without context {@code name} and the cluster and user that context refers to
     * (when no other context still uses them). Clears current-context if it was {@code name}.
     */
    public static ObjectNode removeContext(ObjectNode config, String name) {
        ObjectNode out = config.deepCopy();
        Optional<JsonNode> ctx = find(out, "contexts", name);
        String cluster = ctx.map(c -> c.path("context").path("cluster").asText()).orElse(name);
        String user = ctx.map(c -> c.path("context").path("user").asText()).orElse(name);
        remove(array(out, "contexts"), name);
        if (!usedBy(out, "cluster", cluster)) {
            remove(array(out, "clusters"), cluster);
        }
        if (!usedBy(out, "user", user)) {
            remove(array(out, "users"), user);
        }
        if (out.path("current-context").asText().equals(name)) {
            out.put("current-context", "");
        }
        return out;
    }

    /** The named entry of a section ({@code clusters}, {@code users}, {@code contexts}). */
    public static Optional<JsonNode> find(ObjectNode config, String section, String name) {
        for (JsonNode e : config.path(section)) {
            if (e.path("name").asText().equals(name)) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    private static boolean usedBy(ObjectNode config, String field, String value) {
        for (JsonNode c : config.path("contexts")) {
            if (c.path("context").path(field).asText().equals(value)) {
                return true;
            }
        }
        return false;
    }

    private static void remove(ArrayNode array, String name) {
        Iterator<JsonNode> it = array.iterator();
        while (it.hasNext()) {
            if (it.next().path("name").asText().equals(name)) {
                it.remove();
            }
        }
    }

    private static ArrayNode array(ObjectNode config, String section) {
        JsonNode n = config.get(section);
        if (n instanceof ArrayNode a) {
            return a;
        }
        return config.putArray(section);
    }
}
