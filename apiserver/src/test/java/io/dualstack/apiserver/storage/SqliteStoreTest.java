package io.dualstack.apiserver.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dualstack.apiserver.storage.Store.Delete;
import io.dualstack.apiserver.storage.Store.Put;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class SqliteStoreTest extends StoreContractTest {
    @Override
    Store open(Path dir, StoreOptions options) {
        return Stores.open(dir, options);
    }

    /**
     * synchronous=NORMAL keeps this suite fast (no fsync per commit; the semantics under test are
     * the same). The default, FULL, is what {@link SqliteCrashTest} runs.
     */
    @Override
    StoreOptions options() {
        return super.options().withDurability(StoreOptions.Durability.NORMAL);
    }

    Store reopen() {
        store.close();
        store = open(dir, options());
        return store;
    }

    @Test
    void opensStateDbInTheStateDirectory() {
        put("/a", "1");
        assertThat(dir.resolve("state.db")).exists();
        assertThat(dir.resolve("state.db.lock")).exists();
    }

    @Test
    void valuesRevisionsAndCompactionSurviveAReopen() throws Exception {
        put("/a", "1");
        put("/b", "1");
        store.txn(List.of(), List.of(new Delete("/b")));
        put("/a", "2");
        store.compact(2);
        reopen();
        assertThat(store.currentRevision()).isEqualTo(4);
        assertThat(store.compactedRevision()).isEqualTo(2);
        assertThat(store.get("/a").orElseThrow().createRevision()).isEqualTo(1);
        assertThat(store.get("/a").orElseThrow().modRevision()).isEqualTo(4);
        assertThat(store.get("/b")).isEmpty();
        assertThat(put("/c", "1").revision()).isEqualTo(5);
        assertThatThrownBy(() -> store.watch("/", 1, e -> { })).isInstanceOf(Store.CompactedException.class);
        Collector c = new Collector();
        try (Store.Watch w = store.watch("/", 2, c::accept)) {
            c.awaitCount(3);
            assertThat(c.describe()).containsExactly("3 DELETE /b", "4 PUT /a=2", "5 PUT /c=1");
            assertThat(s(c.events.get(0).prevKv().value())).isEqualTo("1");
        }
    }

    /** Another process holding the directory is refused too: see {@link SqliteCrashTest}. */
    @Test
    void secondOpenOfTheSameDirectoryFailsClearly() {
        put("/a", "1");
        assertThatThrownBy(() -> Stores.open(dir))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("is already open in this process")
                .hasMessageContaining("state.db.lock");
        assertThatThrownBy(() -> Stores.open(dir.resolve(".").resolve("x").resolve("..")))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("is already open in this process");
        assertThat(value("/a")).isEqualTo("1"); // the first store is unharmed
        store.close();
        store = Stores.open(dir); // the lock is released on close
        assertThat(value("/a")).isEqualTo("1");
    }

    @Test
    void unreadableDatabaseFailsWithAStoreException() throws Exception {
        Path other = dir.resolve("garbage");
        Files.createDirectories(other);
        Files.write(other.resolve("state.db"), "this is not a database, it is long enough to have a header".repeat(200).getBytes());
        assertThatThrownBy(() -> Stores.open(other)).isInstanceOf(StoreException.class)
                .hasMessageContaining("cannot open");
        // the failed open released its lock
        Files.delete(other.resolve("state.db"));
        Stores.open(other).close();
    }

    @Test
    void watchOlderThanTheEventCacheReadsHistoryFromTheDatabase() throws Exception {
        store.close();
        store = open(dir, options().withWatchCacheEvents(4));
        for (int i = 1; i <= 30; i++) {
            store.txn(List.of(), List.of(new Put("/h/" + (i % 3), b("v" + i))));
        }
        assertThat(((SqliteStore) store).cachedEvents()).isLessThanOrEqualTo(4);
        Collector c = new Collector();
        try (Store.Watch w = store.watch("/h/", 10, c::accept)) {
            for (int i = 31; i <= 35; i++) {
                store.txn(List.of(), List.of(new Put("/h/" + (i % 3), b("v" + i))));
            }
            c.awaitCount(25);
            assertThat(c.events).extracting(Store.Event::revision)
                    .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(11, 35).boxed().toList());
            assertThat(c.events).allSatisfy(e -> assertThat(s(e.kv().value())).isEqualTo("v" + e.revision()));
        }
    }

    @Test
    void compactionDeletesTheHistoryRowsInChunks() throws Exception {
        // 12 revisions of 1000 events each: more rows than one delete chunk
        for (int rev = 1; rev <= 12; rev++) {
            List<Store.Op> ops = new java.util.ArrayList<>();
            for (int k = 0; k < 1000; k++) ops.add(new Put("/k" + k, b("r" + rev)));
            store.txn(List.of(), ops);
        }
        store.compact(11);
        store.close();
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("state.db"));
             var rs = c.createStatement().executeQuery("SELECT count(*), min(rev) FROM log")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(1000);
            assertThat(rs.getLong(2)).isEqualTo(12);
        }
        store = open(dir, options());
        assertThat(store.count("/")).isEqualTo(1000);
        assertThat(value("/k999")).isEqualTo("r12");
    }
}
