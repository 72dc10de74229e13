package io.dualstack.apiserver.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dualstack.apiserver.storage.Store.Compare;
import io.dualstack.apiserver.storage.Store.Delete;
import io.dualstack.apiserver.storage.Store.Event;
import io.dualstack.apiserver.storage.Store.EventType;
import io.dualstack.apiserver.storage.Store.KeyValue;
import io.dualstack.apiserver.storage.Store.ListResult;
import io.dualstack.apiserver.storage.Store.Op;
import io.dualstack.apiserver.storage.Store.Put;
import io.dualstack.apiserver.storage.Store.TxnResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The {@link Store} contract (etcd KV + Watch semantics as the API server relies on them), run
 * against every implementation by subclassing.
 */
abstract class StoreContractTest {
    /** Generous bound for asynchronous delivery on a loaded 2-core machine; never a speed target. */
    static final Duration PATIENCE = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    Store store;

    abstract Store open(Path dir, StoreOptions options);

    /** Defaults, but no automatic compaction so tests decide when history goes. */
    StoreOptions options() {
        return StoreOptions.defaults().withCompactInterval(Duration.ZERO);
    }

    @BeforeEach
    void openStore() {
        store = open(dir, options());
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    // ---- helpers -------------------------------------------------------------------------------

    static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    static String s(byte[] v) {
        return new String(v, UTF_8);
    }

    TxnResult put(String key, String value) {
        return store.txn(List.of(), List.of(new Put(key, b(value))));
    }

    TxnResult create(String key, String value) {
        return store.txn(List.of(Compare.absent(key)), List.of(new Put(key, b(value))));
    }

    String value(String key) {
        return store.get(key).map(kv -> s(kv.value())).orElse("<absent>");
    }

    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    /** Collects events from a watch. */
    static final class Collector {
        final List<Event> events = new CopyOnWriteArrayList<>();

        void accept(Event e) {
            events.add(e);
        }

        List<Event> awaitCount(int n) {
            await(n + " events (have " + events.size() + ")", () -> events.size() >= n);
            return List.copyOf(events);
        }

        List<String> describe() {
            List<String> out = new ArrayList<>();
            for (Event e : events) {
                out.add(e.revision() + " " + e.type() + " " + e.kv().key()
                        + (e.type() == EventType.PUT ? "=" + s(e.kv().value()) : ""));
            }
            return out;
        }
    }

    // ---- revisions -----------------------------------------------------------------------------

    @Test
    void emptyStoreIsAtRevisionZero() {
        assertThat(store.currentRevision()).isZero();
        assertThat(store.compactedRevision()).isZero();
        assertThat(store.get("/a")).isEmpty();
        assertThat(store.list("/", null, 0).items()).isEmpty();
    }

    @Test
    void everySuccessfulWriteBumpsTheGlobalRevisionByOne() {
        assertThat(put("/a", "1").revision()).isEqualTo(1);
        assertThat(put("/b", "1").revision()).isEqualTo(2);
        assertThat(put("/a", "2").revision()).isEqualTo(3);
        assertThat(store.txn(List.of(), List.of(new Delete("/b"))).revision()).isEqualTo(4);
        assertThat(store.currentRevision()).isEqualTo(4);
    }

    @Test
    void createRevisionStaysAndModRevisionMovesOnUpdate() {
        put("/a", "1");
        put("/other", "x");
        put("/a", "2");
        KeyValue kv = store.get("/a").orElseThrow();
        assertThat(kv.createRevision()).isEqualTo(1);
        assertThat(kv.modRevision()).isEqualTo(3);
        assertThat(s(kv.value())).isEqualTo("2");
    }

    @Test
    void recreatingADeletedKeyStartsANewCreateRevision() {
        put("/a", "1");
        store.txn(List.of(), List.of(new Delete("/a")));
        put("/a", "again");
        KeyValue kv = store.get("/a").orElseThrow();
        assertThat(kv.createRevision()).isEqualTo(3);
        assertThat(kv.modRevision()).isEqualTo(3);
    }

    @Test
    void writesWithNoEffectDoNotBumpTheRevision() {
        put("/a", "1");
        TxnResult deleteMissing = store.txn(List.of(), List.of(new Delete("/missing")));
        TxnResult compareOnly = store.txn(List.of(new Compare("/a", 1)), List.of());
        assertThat(deleteMissing).isEqualTo(new TxnResult(true, 1));
        assertThat(compareOnly).isEqualTo(new TxnResult(true, 1));
        assertThat(store.currentRevision()).isEqualTo(1);
    }

    @Test
    void storedValueIsACopyOfTheCallersArray() {
        byte[] v = b("orig");
        store.txn(List.of(), List.of(new Put("/a", v)));
        v[0] = 'X';
        assertThat(value("/a")).isEqualTo("orig");
    }

    // ---- compare-and-swap ----------------------------------------------------------------------

    /** Key /a exists with modRevision 2 (created at 1, updated at 2); /gone was deleted at 3. */
    void seedCas() {
        put("/a", "v1");
        put("/a", "v2");
        put("/gone", "x");
        store.txn(List.of(), List.of(new Delete("/gone")));
    }

    static Stream<Arguments> casCases() {
        return Stream.of(
                Arguments.of("create (resourceVersion absent) of a missing key succeeds", "/new", 0L, true),
                Arguments.of("create of an existing key fails (AlreadyExists)", "/a", 0L, false),
                Arguments.of("update at the current resourceVersion succeeds", "/a", 2L, true),
                Arguments.of("update at a stale resourceVersion fails (Conflict)", "/a", 1L, false),
                Arguments.of("update at a future resourceVersion fails (Conflict)", "/a", 99L, false),
                Arguments.of("update of a missing key at any resourceVersion fails (NotFound)", "/new", 2L, false),
                Arguments.of("create of a key deleted earlier succeeds", "/gone", 0L, true),
                Arguments.of("update of a deleted key at its last resourceVersion fails", "/gone", 3L, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("casCases")
    void compareAndSwapOnModRevision(String name, String key, long expectedModRevision, boolean succeeds) {
        seedCas();
        long before = store.currentRevision();
        Optional<KeyValue> old = store.get(key);
        TxnResult r = store.txn(List.of(new Compare(key, expectedModRevision)), List.of(new Put(key, b("cas"))));
        assertThat(r.succeeded()).isEqualTo(succeeds);
        if (succeeds) {
            assertThat(r.revision()).isEqualTo(before + 1);
            assertThat(store.get(key).orElseThrow().modRevision()).isEqualTo(before + 1);
            assertThat(value(key)).isEqualTo("cas");
        } else {
            assertThat(r.revision()).isEqualTo(before);
            assertThat(store.currentRevision()).isEqualTo(before);
            assertThat(store.get(key).map(kv -> s(kv.value()))).isEqualTo(old.map(kv -> s(kv.value())));
        }
    }

    @Test
    void failedCompareChangesNothingAndEmitsNoEvent() throws Exception {
        put("/a", "v1");
        put("/b", "v1");
        Collector c = new Collector();
        try (Store.Watch w = store.watch("/", store.currentRevision(), c::accept)) {
            TxnResult r = store.txn(List.of(new Compare("/a", 1), new Compare("/b", 1)),
                    List.of(new Put("/a", b("v2")), new Delete("/b"), new Put("/c", b("v1"))));
            assertThat(r.succeeded()).isFalse();
            assertThat(value("/a")).isEqualTo("v1");
            assertThat(value("/b")).isEqualTo("v1");
            assertThat(value("/c")).isEqualTo("<absent>");
            assertThat(store.currentRevision()).isEqualTo(2);
            put("/marker", "m");
            c.awaitCount(1);
            assertThat(c.describe()).containsExactly("3 PUT /marker=m");
        }
    }

    @Test
    void multiOpTxnAppliesAllOpsAtOneRevision() {
        put("/old", "x");
        TxnResult r = store.txn(List.of(Compare.absent("/a"), new Compare("/old", 1)),
                List.of(new Put("/a", b("1")), new Put("/b", b("2")), new Delete("/old")));
        assertThat(r).isEqualTo(new TxnResult(true, 2));
        assertThat(store.get("/a").orElseThrow().modRevision()).isEqualTo(2);
        assertThat(store.get("/b").orElseThrow().modRevision()).isEqualTo(2);
        assertThat(store.get("/old")).isEmpty();
        assertThat(store.currentRevision()).isEqualTo(2);
    }

    @Test
    void txnNamingOneKeyTwiceIsRejectedAndChangesNothing() {
        put("/a", "1");
        assertThatThrownBy(() -> store.txn(List.of(), List.of(new Put("/a", b("2")), new Delete("/a"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("duplicate key");
        assertThat(value("/a")).isEqualTo("1");
        assertThat(store.currentRevision()).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badTxns")
    void malformedTxnIsRejected(String name, List<Compare> compares, List<Op> ops) {
        assertThatThrownBy(() -> store.txn(compares, ops)).isInstanceOf(IllegalArgumentException.class);
        assertThat(store.currentRevision()).isZero();
    }

    static Stream<Arguments> badTxns() {
        return Stream.of(
                Arguments.of("empty key in a put", List.of(), List.of(new Put("", b("x")))),
                Arguments.of("empty key in a compare", List.of(Compare.absent("")), List.of(new Put("/a", b("x")))),
                Arguments.of("negative compare revision", List.of(new Compare("/a", -1)), List.of(new Put("/a", b("x")))),
                Arguments.of("null value", List.of(), List.of(new Put("/a", null))));
    }

    // ---- list / count --------------------------------------------------------------------------

    void seedPods(int n) {
        for (int i = 0; i < n; i++) {
            put(String.format("/registry/pods/default/p%02d", i), "pod" + i);
        }
        put("/registry/podsecuritypolicies/x", "not a pod");
        put("/registry/pod", "not a pod either");
        put("/registry/services/default/web", "svc");
    }

    @Test
    void listReturnsKeysUnderThePrefixInKeyOrder() {
        put("/registry/pods/default/b", "2");
        put("/registry/pods/default/a", "1");
        put("/registry/pods/kube-system/c", "3");
        put("/registry/podsX/default/z", "no");
        put("/registry/pods", "no");
        ListResult r = store.list("/registry/pods/", null, 0);
        assertThat(r.items()).extracting(KeyValue::key).containsExactly(
                "/registry/pods/default/a", "/registry/pods/default/b", "/registry/pods/kube-system/c");
        assertThat(r.more()).isFalse();
        assertThat(r.revision()).isEqualTo(5);
        assertThat(store.count("/registry/pods/")).isEqualTo(3);
        assertThat(store.count("/registry/pods/default/")).isEqualTo(2);
        assertThat(store.count("/nothing/")).isZero();
        assertThat(store.count("")).isEqualTo(5);
    }

    static Stream<Arguments> pageSizes() {
        return Stream.of(
                Arguments.of("limit 1 (one key per page)", 1),
                Arguments.of("limit 3 (last page partial)", 3),
                Arguments.of("limit 5 (pages divide the keys exactly)", 5),
                Arguments.of("limit larger than the list (one page, no continue)", 50));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pageSizes")
    void paginationVisitsEveryKeyOnceInOrder(String name, int limit) {
        seedPods(10);
        List<String> seen = new ArrayList<>();
        String after = null;
        int pages = 0;
        while (true) {
            ListResult page = store.list("/registry/pods/", after, limit);
            pages++;
            assertThat(page.items().size()).isLessThanOrEqualTo(limit);
            assertThat(page.revision()).isEqualTo(store.currentRevision());
            page.items().forEach(kv -> seen.add(kv.key()));
            if (!page.more()) break;
            assertThat(page.items()).hasSize(limit);
            after = page.items().get(page.items().size() - 1).key();
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 10; i++) expected.add(String.format("/registry/pods/default/p%02d", i));
        assertThat(seen).containsExactlyElementsOf(expected);
        assertThat(pages).isEqualTo(Math.max(1, (10 + limit - 1) / limit));
    }

    @Test
    void paginationWithConcurrentWritesStillVisitsEveryUntouchedKeyOnce() {
        seedPods(10);
        ListResult first = store.list("/registry/pods/", null, 4);
        put("/registry/pods/default/p00a", "inserted before the cursor");
        put("/registry/pods/default/p05a", "inserted after the cursor");
        store.txn(List.of(), List.of(new Delete("/registry/pods/default/p07")));
        List<String> seen = new ArrayList<>();
        first.items().forEach(kv -> seen.add(kv.key()));
        String after = first.items().get(3).key();
        ListResult rest = store.list("/registry/pods/", after, 0);
        rest.items().forEach(kv -> seen.add(kv.key()));
        assertThat(rest.revision()).isGreaterThan(first.revision());
        assertThat(seen).doesNotHaveDuplicates().isSorted()
                .contains("/registry/pods/default/p05a")
                .doesNotContain("/registry/pods/default/p00a", "/registry/pods/default/p07")
                .hasSize(10);
    }

    @Test
    void startAfterBeforeThePrefixStartsAtThePrefix() {
        seedPods(3);
        assertThat(store.list("/registry/pods/", "/a", 0).items()).hasSize(3);
        assertThat(store.list("/registry/pods/", "/registry/pods/zzz", 0).items()).isEmpty();
    }

    @Test
    void keysAreOrderedByCodePointLikeEtcd() {
        put("/k/\uFB01", "BMP above the surrogates");
        put("/k/\uD83D\uDE00", "emoji (supplementary)");
        put("/k/a", "ascii");
        assertThat(store.list("/k/", null, 0).items()).extracting(KeyValue::key)
                .containsExactly("/k/a", "/k/\uFB01", "/k/\uD83D\uDE00");
    }

    // ---- watch ---------------------------------------------------------------------------------

    @Test
    void watchReplaysHistoryAfterTheRevisionThenLiveEventsInOrder() throws Exception {
        put("/w/a", "1");            // 1
        put("/x/ignored", "1");      // 2
        put("/w/b", "1");            // 3
        put("/w/a", "2");            // 4
        Collector c = new Collector();
        try (Store.Watch w = store.watch("/w/", 1, c::accept)) {
            store.txn(List.of(), List.of(new Delete("/w/b")));   // 5
            put("/x/ignored", "2");                               // 6
            store.txn(List.of(), List.of(new Put("/w/c", b("1")), new Put("/w/d", b("1")))); // 7
            c.awaitCount(5);
            assertThat(c.describe()).containsExactly(
                    "3 PUT /w/b=1", "4 PUT /w/a=2", "5 DELETE /w/b", "7 PUT /w/c=1", "7 PUT /w/d=1");
        }
    }

    @Test
    void deleteEventCarriesTheLastValueAndPutCarriesThePreviousOne() throws Exception {
        put("/a", "first");
        put("/a", "second");
        store.txn(List.of(), List.of(new Delete("/a")));
        Collector c = new Collector();
        try (Store.Watch w = store.watch("/", 0, c::accept)) {
            List<Event> ev = c.awaitCount(3);
            assertThat(ev.get(0).prevKv()).isNull();
            assertThat(s(ev.get(1).prevKv().value())).isEqualTo("first");
            assertThat(ev.get(1).prevKv().modRevision()).isEqualTo(1);
            Event del = ev.get(2);
            assertThat(del.type()).isEqualTo(EventType.DELETE);
            assertThat(del.kv().key()).isEqualTo("/a");
            assertThat(del.kv().modRevision()).isEqualTo(3);
            assertThat(s(del.prevKv().value())).isEqualTo("second");
            assertThat(del.prevKv().modRevision()).isEqualTo(2);
            assertThat(del.prevKv().createRevision()).isEqualTo(1);
        }
    }

    @Test
    void watchFromTheCurrentRevisionSeesOnlyNewEvents() throws Exception {
        put("/a", "old");
        Collector c = new Collector();
        try (Store.Watch w = store.watch("/", store.currentRevision(), c::accept)) {
            put("/a", "new");
            c.awaitCount(1);
            assertThat(c.describe()).containsExactly("2 PUT /a=new");
        }
    }

    @Test
    void watchFromAFutureRevisionWaitsForIt() throws Exception {
        Collector c = new Collector();
        try (Store.Watch w = store.watch("/", 2, c::accept)) {
            put("/a", "1");
            put("/a", "2");
            put("/a", "3");
            c.awaitCount(1);
            put("/marker", "m");
            c.awaitCount(2);
            assertThat(c.describe()).containsExactly("3 PUT /a=3", "4 PUT /marker=m");
        }
    }

    @Test
    void closedWatchReceivesNothingMore() throws Exception {
        Collector closed = new Collector();
        Collector open = new Collector();
        Store.Watch w = store.watch("/", 0, closed::accept);
        try (Store.Watch other = store.watch("/", 0, open::accept)) {
            put("/a", "1");
            closed.awaitCount(1);
            w.close();
            put("/a", "2");
            open.awaitCount(2);
            assertThat(closed.describe()).containsExactly("1 PUT /a=1");
        }
    }

    @Test
    void aFailingSinkEndsOnlyItsOwnWatch() throws Exception {
        Collector healthy = new Collector();
        try (Store.Watch bad = store.watch("/", 0, e -> { throw new IllegalStateException("client went away"); });
             Store.Watch good = store.watch("/", 0, healthy::accept)) {
            put("/a", "1");
            put("/a", "2");
            healthy.awaitCount(2);
            assertThat(healthy.describe()).containsExactly("1 PUT /a=1", "2 PUT /a=2");
        }
    }

    @Test
    void watchStartedDuringWritesSeesEveryLaterRevisionExactlyOnce() throws Exception {
        int total = 400;
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            CountDownLatch half = new CountDownLatch(1);
            Future<?> writer = pool.submit(() -> {
                for (int i = 0; i < total; i++) {
                    put("/seq/" + (i % 7), Integer.toString(i));
                    if (i == total / 2) half.countDown();
                }
            });
            half.await(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            long from = store.currentRevision() - 20;   // some history, then live while writing
            Collector c = new Collector();
            try (Store.Watch w = store.watch("/seq/", from, c::accept)) {
                writer.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
                List<Event> ev = c.awaitCount((int) (total - from));
                List<Long> revs = ev.stream().map(Event::revision).toList();
                List<Long> expected = new ArrayList<>();
                for (long r = from + 1; r <= total; r++) expected.add(r);
                assertThat(revs).containsExactlyElementsOf(expected);
                for (Event e : ev) {
                    assertThat(s(e.kv().value())).isEqualTo(Long.toString(e.revision() - 1));
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void manyWatchersEachGetTheWholeStream() throws Exception {
        List<Collector> cs = new ArrayList<>();
        List<Store.Watch> ws = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Collector c = new Collector();
            cs.add(c);
            ws.add(store.watch(i % 2 == 0 ? "/" : "/a", 0, c::accept));
        }
        try {
            for (int i = 0; i < 50; i++) put(i % 2 == 0 ? "/a" + i : "/b" + i, "v");
            for (int i = 0; i < 8; i++) {
                List<Event> ev = cs.get(i).awaitCount(i % 2 == 0 ? 50 : 25);
                assertThat(ev).extracting(Event::revision).isSorted().doesNotHaveDuplicates();
            }
        } finally {
            ws.forEach(Store.Watch::close);
        }
    }

    // ---- compaction ----------------------------------------------------------------------------

    @Test
    void watchFromACompactedRevisionFailsWithTheOldestAvailable() throws Exception {
        for (int i = 0; i < 10; i++) put("/a", "v" + i);
        store.compact(6);
        assertThat(store.compactedRevision()).isEqualTo(6);
        assertThatThrownBy(() -> store.watch("/", 5, e -> { }))
                .isInstanceOf(Store.CompactedException.class)
                .satisfies(t -> assertThat(((Store.CompactedException) t).compactedRevision()).isEqualTo(6))
                .hasMessageContaining("required revision 5 has been compacted");
        Collector c = new Collector();
        try (Store.Watch w = store.watch("/", 6, c::accept)) {
            c.awaitCount(4);
            assertThat(c.describe()).containsExactly("7 PUT /a=v6", "8 PUT /a=v7", "9 PUT /a=v8", "10 PUT /a=v9");
        }
    }

    @Test
    void compactionKeepsCurrentValues() {
        put("/a", "1");
        put("/b", "1");
        store.txn(List.of(), List.of(new Delete("/b")));
        put("/a", "2");
        store.compact(4);
        assertThat(value("/a")).isEqualTo("2");
        assertThat(store.get("/b")).isEmpty();
        assertThat(store.list("/", null, 0).items()).extracting(KeyValue::key).containsExactly("/a");
        assertThat(store.currentRevision()).isEqualTo(4);
        assertThat(put("/c", "1").revision()).isEqualTo(5);
    }

    @Test
    void compactingToAFutureRevisionIsRejectedAndToAnOlderOneIsANoOp() {
        put("/a", "1");
        put("/a", "2");
        assertThatThrownBy(() -> store.compact(3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("future revision");
        store.compact(2);
        store.compact(1);
        assertThat(store.compactedRevision()).isEqualTo(2);
    }

    @Test
    void automaticCompactionBoundsHistory() {
        store.close();
        store = open(dir, options().withCompactInterval(Duration.ofMillis(50)).withMaxHistoryRevisions(5));
        for (int i = 0; i < 20; i++) put("/a", "v" + i);
        await("automatic compaction", () -> store.compactedRevision() >= 15);
        assertThat(value("/a")).isEqualTo("v19");
        assertThatThrownBy(() -> store.watch("/", 0, e -> { })).isInstanceOf(Store.CompactedException.class);
    }

    @Test
    void automaticCompactionTargetFollowsThePreviousRunAndTheCountLimit() {
        // kube-apiserver compacts to the revision seen one interval earlier
        assertThat(AutoCompactor.target(100, 150, 40, 0)).isEqualTo(100);
        // ... and our count limit may compact further
        assertThat(AutoCompactor.target(100, 150, 40, 10)).isEqualTo(140);
        // nothing to do when already compacted that far
        assertThat(AutoCompactor.target(100, 150, 100, 0)).isEqualTo(-1);
        assertThat(AutoCompactor.target(0, 0, 0, 10)).isEqualTo(-1);
    }

    // ---- concurrency ---------------------------------------------------------------------------

    @Test
    void concurrentCasWritersNeverLoseAnUpdate() throws Exception {
        int threads = 4;
        int perThread = 100;
        create("/counter", "0");
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Long> revisions = Collections.synchronizedList(new ArrayList<>());
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                fs.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        while (true) {
                            KeyValue cur = store.get("/counter").orElseThrow();
                            int n = Integer.parseInt(s(cur.value()));
                            TxnResult r = store.txn(List.of(new Compare("/counter", cur.modRevision())),
                                    List.of(new Put("/counter", b(Integer.toString(n + 1)))));
                            if (r.succeeded()) {
                                revisions.add(r.revision());
                                break;
                            }
                        }
                    }
                }));
            }
            for (Future<?> f : fs) f.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        assertThat(value("/counter")).isEqualTo(Integer.toString(threads * perThread));
        assertThat(revisions).doesNotHaveDuplicates().hasSize(threads * perThread);
        assertThat(store.currentRevision()).isEqualTo(1 + threads * perThread);
    }

    @Test
    void concurrentCreatesOfOneKeyHaveExactlyOneWinner() throws Exception {
        int threads = 6;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        ConcurrentHashMap<String, Boolean> outcome = new ConcurrentHashMap<>();
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String who = "w" + t;
                fs.add(pool.submit(() -> {
                    go.await();
                    outcome.put(who, create("/leader", who).succeeded());
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : fs) f.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        assertThat(outcome.values().stream().filter(x -> x).count()).isEqualTo(1);
        String winner = outcome.entrySet().stream().filter(e -> e.getValue()).findFirst().orElseThrow().getKey();
        assertThat(value("/leader")).isEqualTo(winner);
        assertThat(store.currentRevision()).isEqualTo(1);
    }

    @Test
    void listsDuringWritesAreConsistentSnapshots() throws Exception {
        // every txn moves one token from one key to another: each snapshot holds exactly one token
        put("/tok/0", "token");
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<?> mover = pool.submit(() -> {
                for (int i = 0; i < 300; i++) {
                    store.txn(List.of(), List.of(new Delete("/tok/" + (i % 5)), new Put("/tok/" + ((i + 1) % 5), b("token"))));
                }
            });
            while (!mover.isDone()) {
                ListResult r = store.list("/tok/", null, 0);
                assertThat(r.items()).hasSize(1);
                assertThat(r.items().get(0).modRevision()).isEqualTo(r.revision());
            }
            mover.get();
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- metrics -------------------------------------------------------------------------------

    @Test
    void metricsCountTxnsByResultAndShowTheRevisions() throws Exception {
        create("/a", "1");
        create("/a", "again");                 // failed compare
        put("/b", "1");
        store.compact(1);
        try (Store.Watch w = store.watch("/", 2, e -> { })) {
            String text = scrape();
            assertThat(text).containsPattern("dualstack_store_txns_total\\{backend=\"\\w+\",result=\"succeeded\"} 2(\\.0)?\n");
            assertThat(text).containsPattern("dualstack_store_txns_total\\{backend=\"\\w+\",result=\"failed_compare\"} 1(\\.0)?\n");
            assertThat(text).containsPattern("dualstack_store_current_revision\\{backend=\"\\w+\"} 2(\\.0)?\n");
            assertThat(text).containsPattern("dualstack_store_compact_revision\\{backend=\"\\w+\"} 1(\\.0)?\n");
            assertThat(text).containsPattern("dualstack_store_watchers\\{backend=\"\\w+\"} 1(\\.0)?\n");
            assertThat(text).contains("dualstack_store_txn_duration_seconds_count");
        }
    }

    String scrape() throws java.io.IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter.create().write(out, store.metrics().scrape());
        return out.toString(UTF_8);
    }

    // ---- lifecycle -----------------------------------------------------------------------------

    @Test
    void aClosedStoreRefusesWork() {
        put("/a", "1");
        store.close();
        assertThatThrownBy(() -> store.get("/a")).isInstanceOf(StoreException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> put("/a", "2")).isInstanceOf(StoreException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> store.watch("/", 0, e -> { })).isInstanceOf(StoreException.class);
        store.close(); // idempotent
    }
}
