package io.dualstack.apiserver.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.dualstack.apiserver.storage.Store.Compare;
import io.dualstack.apiserver.storage.Store.Delete;
import io.dualstack.apiserver.storage.Store.Event;
import io.dualstack.apiserver.storage.Store.Op;
import io.dualstack.apiserver.storage.Store.Put;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * SqliteStore and MemoryStore give the same answers to the same random sequence of transactions:
 * the same results, revisions, final contents and event streams.
 */
class StoreEquivalenceTest {
    static final String MARKER = "/zz-marker";

    /** One txn: compares (key, revision) and ops (put or delete of a key). */
    record Step(List<Compare> compares, List<Op> ops) {}

    @Provide
    Arbitrary<Step> steps() {
        Arbitrary<String> keys = Arbitraries.of("/a", "/b", "/c/1", "/c/2", "/d");
        Arbitrary<Compare> compare = Combinators.combine(keys, Arbitraries.longs().between(0, 12)).as(Compare::new);
        Arbitrary<Op> op = Combinators.combine(keys, Arbitraries.integers().between(0, 3), Arbitraries.strings().alpha().ofMaxLength(6))
                .as((k, kind, v) -> kind == 0 ? (Op) new Delete(k) : new Put(k, v.getBytes(UTF_8)));
        return Combinators.combine(compare.list().ofMaxSize(2), op.list().ofMinSize(1).ofMaxSize(3)).as(Step::new)
                .filter(s -> s.ops().stream().map(Keys::opKey).distinct().count() == s.ops().size());
    }

    @Property(tries = 25)
    void sqliteAndMemoryAgree(@ForAll @Size(max = 25) List<@net.jqwik.api.From("steps") Step> steps) throws Exception {
        Path dir = Files.createTempDirectory("store-equiv");
        StoreOptions opts = StoreOptions.defaults().withCompactInterval(Duration.ZERO)
                .withDurability(StoreOptions.Durability.NORMAL).withWatchCacheEvents(3);
        try (Store mem = new MemoryStore(opts); Store sql = Stores.open(dir, opts)) {
            for (Step s : steps) {
                assertThat(sql.txn(s.compares(), s.ops())).isEqualTo(mem.txn(s.compares(), s.ops()));
            }
            assertThat(sql.currentRevision()).isEqualTo(mem.currentRevision());
            assertThat(describe(sql.list("", null, 0).items())).isEqualTo(describe(mem.list("", null, 0).items()));
            assertThat(sql.count("/c/")).isEqualTo(mem.count("/c/"));
            // history (SQLite: mostly from the log table, its ring holds 3 events) equals memory's
            Step marker = new Step(List.of(), List.of(new Put(MARKER, new byte[0])));
            assertThat(sql.txn(marker.compares(), marker.ops())).isEqualTo(mem.txn(marker.compares(), marker.ops()));
            long from = Math.min(steps.size() / 3, mem.currentRevision() - 1);
            assertThat(events(sql, from)).isEqualTo(events(mem, from));
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            } catch (IOException e) {
                // best effort
            }
        }
    }

    private static List<String> describe(List<Store.KeyValue> kvs) {
        List<String> out = new ArrayList<>();
        for (Store.KeyValue kv : kvs) {
            out.add(kv.key() + "=" + new String(kv.value(), UTF_8) + "@" + kv.createRevision() + "/" + kv.modRevision());
        }
        return out;
    }

    /** Every event after {@code from} up to the marker put that ends each run. */
    private static List<String> events(Store s, long from) throws Exception {
        List<Event> got = new CopyOnWriteArrayList<>();
        try (Store.Watch w = s.watch("", from, got::add)) {
            StoreContractTest.await("the marker event",
                    () -> !got.isEmpty() && got.get(got.size() - 1).kv().key().equals(MARKER));
        }
        List<String> out = new ArrayList<>();
        for (Event e : got) {
            out.add(e.revision() + " " + e.type() + " " + describe(List.of(e.kv()))
                    + " prev " + (e.prevKv() == null ? "-" : describe(List.of(e.prevKv()))));
        }
        return out;
    }
}
