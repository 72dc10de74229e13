package io.dualstack.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where a named cluster's state lives and how to find the process serving it.
 *
 * <p>{@code DUALSTACK_HOME} (default {@code ~/.dualstack}) holds one directory per cluster name:
 * {@code serve.log}, {@code serve.pid} (pid and process start time, written by {@code serve}),
 * {@code endpoints.json} (API URL, DNS addresses), {@code kubeconfig} (the cluster's own),
 * {@code plan.yaml}, the port files and the API server's store, CA and token. The kubeconfig
 * {@code up} merges into is the first path of {@code KUBECONFIG}, else {@code ~/.kube/config}.
 * Tests override the environment with the system properties {@code dualstack.home} and
 * {@code dualstack.kubeconfig}.
 */
public record ClusterHome(Path root, String name) {
    public static final String DEFAULT_NAME = "dualstack";
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The cluster {@code name} under {@code DUALSTACK_HOME}; rejects names kubectl contexts or paths would mangle. */
    public static ClusterHome of(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid cluster name '" + name
                    + "': use 1-40 lower-case letters, digits and '-', starting and ending with a letter or digit");
        }
        return new ClusterHome(homeRoot(), name);
    }

    /**
     * The cluster {@code name} for {@code dualstack COMMAND}, or empty after printing the one-line
     * reason ({@code dualstack up: invalid cluster name ...}) to {@code err}; the caller exits 2.
     */
    static java.util.Optional<ClusterHome> forCommand(String command, String name, java.io.PrintWriter err) {
        try {
            return java.util.Optional.of(of(name));
        } catch (IllegalArgumentException e) {
            err.println("dualstack " + command + ": " + e.getMessage());
            err.flush();
            return java.util.Optional.empty();
        }
    }

    static Path homeRoot() {
        String v = System.getProperty("dualstack.home");
        if (v == null || v.isEmpty()) {
            v = System.getenv("DUALSTACK_HOME");
        }
        if (v == null || v.isEmpty()) {
            return Path.of(System.getProperty("user.home"), ".dualstack");
        }
        return Path.of(v).toAbsolutePath();
    }

    /** The kubeconfig file kubectl reads first: {@code KUBECONFIG}'s first entry, else {@code ~/.kube/config}. */
    public static Path kubeconfigTarget() {
        String v = System.getProperty("dualstack.kubeconfig");
        if (v == null || v.isEmpty()) {
            v = System.getenv("KUBECONFIG");
        }
        if (v != null && !v.isEmpty()) {
            for (String part : v.split(java.io.File.pathSeparator)) {
                if (!part.isEmpty()) {
                    return Path.of(part).toAbsolutePath();
                }
            }
        }
        return Path.of(System.getProperty("user.home"), ".kube", "config");
    }

    public String contextName() {
        return "dualstack-" + name;
    }

    public Path stateDir() {
        return root.resolve(name);
    }

    public Path log() {
        return stateDir().resolve("serve.log");
    }

    public Path pidFile() {
        return stateDir().resolve("serve.pid");
    }

    public Path endpointsFile() {
        return stateDir().resolve("endpoints.json");
    }

    public Path kubeconfig() {
        return stateDir().resolve("kubeconfig");
    }

    public Path planFile() {
        return stateDir().resolve("plan.yaml");
    }

    public Path apiPortFile() {
        return stateDir().resolve("apiserver.port");
    }

    public Path dnsPortFile() {
        return stateDir().resolve("dns.port");
    }

    /** What {@code serve} records about itself. */
    public record ServeRecord(long pid, Instant started) {}

    /** Records the current process as this cluster's server. */
    public void writePid() {
        ProcessHandle self = ProcessHandle.current();
        Instant started = self.info().startInstant().orElse(Instant.EPOCH);
        writeAtomically(pidFile(), self.pid() + "\n" + started + "\n");
    }

    public Optional<ServeRecord> readPid() {
        try {
            List<String> lines = Files.readAllLines(pidFile());
            return Optional.of(new ServeRecord(Long.parseLong(lines.get(0).trim()), Instant.parse(lines.get(1).trim())));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * The live process serving this cluster: the recorded pid is alive, started when recorded (so a
     * reused pid is not mistaken for ours) and its command line runs {@code serve}.
     */
    public Optional<ProcessHandle> runningServer() {
        Optional<ServeRecord> rec = readPid();
        if (rec.isEmpty()) {
            return Optional.empty();
        }
        Optional<ProcessHandle> h = ProcessHandle.of(rec.get().pid());
        if (h.isEmpty() || !h.get().isAlive()) {
            return Optional.empty();
        }
        ProcessHandle.Info info = h.get().info();
        Optional<Instant> started = info.startInstant();
        if (started.isPresent() && Math.abs(started.get().toEpochMilli() - rec.get().started().toEpochMilli()) > 1000) {
            return Optional.empty();
        }
        // The full command line (ProcessHandle.Info truncates long class paths): it must be a serve.
        try {
            String cmd = new String(Files.readAllBytes(Path.of("/proc", String.valueOf(rec.get().pid()), "cmdline")),
                    java.nio.charset.StandardCharsets.UTF_8).replace('\0', ' ');
            if (!cmd.contains(" serve ") && !cmd.endsWith(" serve")) {
                return Optional.empty();
            }
        } catch (IOException e) {
            // no /proc: the pid and start time already match
        }
        return h;
    }

    /** {@code endpoints.json}: {@code {"apiServer": url, "apiServerIpv6": url, "dns": [addr...]}}. */
    public void writeEndpoints(ObjectNode endpoints) {
        try {
            writeAtomically(endpointsFile(), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(endpoints));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Optional<JsonNode> readEndpoints() {
        try {
            return Optional.of(JSON.readTree(endpointsFile().toFile()));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    public Optional<Integer> readPort(Path file) {
        try {
            return Optional.of(Integer.parseInt(Files.readString(file).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Writes {@code text} via a temp file and rename, owner-only (these files hold tokens). */
    public static void writeAtomically(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".tmp");
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
                Files.writeString(tmp, text);
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Creates the state directory, owner-only. */
    public void createStateDir() throws IOException {
        Files.createDirectories(stateDir());
        Files.setPosixFilePermissions(stateDir(), PosixFilePermissions.fromString("rwx------"));
    }

    /** Removes the state directory and everything in it. */
    public void deleteStateDir() throws IOException {
        if (!Files.exists(stateDir())) {
            return;
        }
        try (Stream<Path> s = Files.walk(stateDir())) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
