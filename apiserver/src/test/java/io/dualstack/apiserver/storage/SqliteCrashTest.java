package io.dualstack.apiserver.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 during writes: every acknowledged write is there after a restart, nothing half-written
 * appears, and the lock held by the dead process does not keep the restart out.
 */
class SqliteCrashTest {
    static final int THREADS = 4;
    static final int ACKS_BEFORE_KILL = 600;
    static final long PATIENCE_SECONDS = 120;

    @TempDir
    Path dir;

    record Ack(int thread, long i, long revision) {}

    @Test
    void killMinus9DuringWritesLosesNoAcknowledgedWriteAndLeavesNoHalfTxn() throws Exception {
        Path stateDir = dir.resolve("state");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx128m", "-cp", cp, CrashWriter.class.getName(),
                stateDir.toString(), Integer.toString(THREADS));
        File stderr = dir.resolve("child.stderr").toFile();
        Path stdout = dir.resolve("child.stdout");
        pb.redirectError(stderr);
        // to a file: destroyForcibly closes the pipes and would drop lines the child already wrote
        pb.redirectOutput(stdout.toFile());
        Process child = pb.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PATIENCE_SECONDS);
            while (!Files.readString(stdout, UTF_8).startsWith("READY ")) {
                assertThat(child.isAlive()).as("child running (stderr: %s)", stderr).isTrue();
                assertThat(System.nanoTime()).as("child start within %ss", PATIENCE_SECONDS).isLessThan(deadline);
                Thread.sleep(20);
            }
            // a second server on the same state directory is refused while the child runs
            assertThatThrownBy(() -> Stores.open(stateDir))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("in use by another process (pid " + child.pid() + ")");
            while (parse(stdout).size() < ACKS_BEFORE_KILL) {
                assertThat(child.isAlive()).as("child running (stderr: %s)", stderr).isTrue();
                assertThat(System.nanoTime()).as("%s acks within %ss", ACKS_BEFORE_KILL, PATIENCE_SECONDS).isLessThan(deadline);
                Thread.sleep(20);
            }
        } finally {
            child.destroyForcibly(); // SIGKILL: no shutdown hooks, no close()
            assertThat(child.waitFor(PATIENCE_SECONDS, TimeUnit.SECONDS)).isTrue();
        }
        // everything the child printed before it died is an acknowledgement
        List<Ack> acks = parse(stdout);
        assertThat(acks.size()).isGreaterThanOrEqualTo(ACKS_BEFORE_KILL);

        try (Store store = Stores.open(stateDir)) {
            long maxAcked = acks.stream().mapToLong(Ack::revision).max().orElseThrow();
            assertThat(store.currentRevision()).isGreaterThanOrEqualTo(maxAcked);
            Map<Integer, Long> lastAckedPerThread = new HashMap<>();
            for (Ack a : acks) {
                String id = a.thread() + "-" + a.i();
                Store.KeyValue ka = store.get("/crash/a/" + id).orElseThrow(() -> new AssertionError("lost acknowledged " + id));
                Store.KeyValue kb = store.get("/crash/b/" + id).orElseThrow(() -> new AssertionError("lost acknowledged b of " + id));
                assertThat(ka.modRevision()).isEqualTo(a.revision());
                assertThat(kb.modRevision()).isEqualTo(a.revision());
                lastAckedPerThread.merge(a.thread(), a.i(), Math::max);
            }
            // nothing half-written: every a has its b at the same revision, and each counter
            // points at the newest a of its thread
            List<Store.KeyValue> as = store.list("/crash/a/", null, 0).items();
            List<Store.KeyValue> bs = store.list("/crash/b/", null, 0).items();
            assertThat(bs).hasSameSizeAs(as);
            Map<Integer, Long> newestPerThread = new HashMap<>();
            for (int k = 0; k < as.size(); k++) {
                Store.KeyValue a = as.get(k);
                Store.KeyValue b = bs.get(k);
                String id = a.key().substring("/crash/a/".length());
                assertThat(b.key()).isEqualTo("/crash/b/" + id);
                assertThat(b.modRevision()).isEqualTo(a.modRevision());
                assertThat(b.value()).isEqualTo(a.value());
                String[] parts = id.split("-");
                newestPerThread.merge(Integer.parseInt(parts[0]), Long.parseLong(parts[1]), Math::max);
            }
            for (Map.Entry<Integer, Long> e : newestPerThread.entrySet()) {
                String counter = new String(store.get("/crash/counter/" + e.getKey()).orElseThrow().value(), UTF_8);
                assertThat(Long.parseLong(counter)).isEqualTo(e.getValue());
                assertThat(e.getValue()).isGreaterThanOrEqualTo(lastAckedPerThread.getOrDefault(e.getKey(), -1L));
            }
            // and the store keeps working after the crash
            assertThat(store.txn(List.of(Store.Compare.absent("/after")), List.of(new Store.Put("/after", new byte[] {1})))
                    .revision()).isEqualTo(store.currentRevision());
        }
    }

    private static List<Ack> parse(Path stdout) throws java.io.IOException {
        List<Ack> acks = new ArrayList<>();
        for (String line : Files.readAllLines(stdout, UTF_8)) {
            String[] f = line.split(" ");
            // a line cut short by the kill has no trailing OK and is not an acknowledgement
            if (f.length == 5 && f[0].equals("ACK") && f[4].equals("OK")) {
                acks.add(new Ack(Integer.parseInt(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3])));
            }
        }
        return acks;
    }
}
