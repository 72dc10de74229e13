package io.dualstack.apiserver.storage;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.dualstack.apiserver.storage.Store.Compare;
import io.dualstack.apiserver.storage.Store.Put;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * Child process of {@link SqliteCrashTest}: writes as fast as it can from several threads and
 * prints one line per acknowledged transaction, {@code ACK <thread> <i> <revision> OK}, only after
 * {@link Store#txn} returned. Each transaction creates two keys and moves a per-thread counter, so
 * a half-applied transaction would be visible after the crash.
 */
public final class CrashWriter {
    private CrashWriter() {}

    public static void main(String[] args) throws Exception {
        Path stateDir = Path.of(args[0]);
        int threads = Integer.parseInt(args[1]);
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false, UTF_8);
        Store store = Stores.open(stateDir);
        out.println("READY " + ProcessHandle.current().pid());
        out.flush();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            Thread th = new Thread(() -> {
                for (long i = 0; ; i++) {
                    String id = thread + "-" + i;
                    byte[] v = ("value of " + id + " ").repeat(20).getBytes(UTF_8);
                    Store.TxnResult r = store.txn(List.of(Compare.absent("/crash/a/" + id)), List.of(
                            new Put("/crash/a/" + id, v),
                            new Put("/crash/b/" + id, v),
                            new Put("/crash/counter/" + thread, Long.toString(i).getBytes(UTF_8))));
                    if (!r.succeeded()) {
                        throw new IllegalStateException("create of fresh key " + id + " failed");
                    }
                    synchronized (out) {
                        out.println("ACK " + thread + " " + i + " " + r.revision() + " OK");
                        out.flush();
                    }
                }
            });
            th.start();
        }
        Thread.currentThread().join(); // until killed
    }
}
