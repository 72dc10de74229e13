package io.dualstack.bench.store;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.dualstack.apiserver.storage.MemoryStore;
import io.dualstack.apiserver.storage.Store;
import io.dualstack.apiserver.storage.Store.Compare;
import io.dualstack.apiserver.storage.Store.KeyValue;
import io.dualstack.apiserver.storage.Store.Put;
import io.dualstack.apiserver.storage.StoreOptions;
import io.dualstack.apiserver.storage.Stores;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Store throughput and latency: SqliteStore against MemoryStore in the same run, at each object
 * count. Prints markdown for bench/RESULTS.md.
 *
 * <pre>
 * java -Xmx3g -cp 'bench/target-store/classes:bench/target-store/lib/*' io.dualstack.bench.store.StoreBench \
 *     [--objects 10000,100000] [--stores memory,sqlite] [--value-bytes 1024] [--threads 16]
 *     [--durability FULL|NORMAL] [--watchers 10] [--dir /tmp/...]
 * </pre>
 */
public final class StoreBench {
    private final int valueBytes;
    private final int threads;
    private final int watchers;
    private final StoreOptions.Durability durability;
    private final Path baseDir;

    private StoreBench(int valueBytes, int threads, int watchers, StoreOptions.Durability durability, Path baseDir) {
        this.valueBytes = valueBytes;
        this.threads = threads;
        this.watchers = watchers;
        this.durability = durability;
        this.baseDir = baseDir;
    }

    public static void main(String[] args) throws Exception {
        List<Integer> counts = List.of(10_000, 100_000);
        List<String> stores = List.of("memory", "sqlite");
        int valueBytes = 1024;
        int threads = 16;
        int watchers = 10;
        StoreOptions.Durability durability = StoreOptions.Durability.FULL;
        Path dir = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--objects" -> counts = Stream.of(args[++i].split(",")).map(Integer::parseInt).toList();
                case "--stores" -> stores = List.of(args[++i].split(","));
                case "--value-bytes" -> valueBytes = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--watchers" -> watchers = Integer.parseInt(args[++i]);
                case "--durability" -> durability = StoreOptions.Durability.valueOf(args[++i].toUpperCase(Locale.ROOT));
                case "--dir" -> dir = Path.of(args[++i]);
                default -> {
                    System.err.println("unknown option " + args[i] + "; see the class javadoc or bench/README.md");
                    System.exit(2);
                }
            }
        }
        Path base = dir != null ? dir : Files.createTempDirectory("storebench");
        StoreBench b = new StoreBench(valueBytes, threads, watchers, durability, base);
        System.out.println(machine());
        System.out.printf(Locale.ROOT, "values %d bytes, %d writer threads for the bulk load, %d watchers, SQLite synchronous=%s, dir %s%n%n",
                valueBytes, threads, watchers, durability, base);
        for (int n : counts) {
            for (String s : stores) {
                b.run(s, n);
            }
        }
        if (dir == null) deleteTree(base);
    }

    public static String machine() {
        String cpu = "?";
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            cpu = lines.filter(l -> l.startsWith("model name")).findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?");
        } catch (IOException | UncheckedIOException e) {
            // not Linux
        }
        String load = "?";
        try {
            load = Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            // not Linux
        }
        return String.format(Locale.ROOT, "machine: %s, %d cores visible, JVM %s, max heap %d MiB, %s %s, loadavg at start %s",
                cpu, Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version"),
                Runtime.getRuntime().maxMemory() >> 20, System.getProperty("os.name"), System.getProperty("os.version"), load);
    }

    private Store open(String kind, Path dir) {
        StoreOptions opts = StoreOptions.defaults().withDurability(durability).withCompactInterval(Duration.ZERO);
        return switch (kind) {
            case "memory" -> new MemoryStore(opts);
            case "sqlite" -> Stores.open(dir, opts);
            default -> throw new IllegalArgumentException("unknown store " + kind + " (memory, sqlite)");
        };
    }

    static String key(int i) {
        return String.format("/registry/pods/ns-%02d/pod-%07d", i % 10, i);
    }

    private byte[] value(int i, int generation) {
        StringBuilder sb = new StringBuilder(valueBytes);
        sb.append("{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"pod-").append(i)
                .append("\",\"generation\":").append(generation).append("},\"pad\":\"");
        while (sb.length() < valueBytes - 2) sb.append((char) ('a' + (sb.length() % 26)));
        sb.append("\"}");
        return sb.toString().getBytes(UTF_8);
    }

    private void run(String kind, int n) throws Exception {
        Path dir = baseDir.resolve(kind + "-" + n);
        long heapBefore = usedHeap();
        List<String> rows = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        try (Store store = open(kind, dir)) {
            // 1. bulk create with concurrent writers (group commit for SQLite)
            Stats create = new Stats(n);
            AtomicInteger next = new AtomicInteger();
            long t0 = System.nanoTime();
            parallel(threads, () -> {
                int i;
                while ((i = next.getAndIncrement()) < n) {
                    String k = key(i);
                    byte[] v = value(i, 1);
                    long s = System.nanoTime();
                    if (!store.txn(List.of(Compare.absent(k)), List.of(new Put(k, v))).succeeded()) {
                        throw new IllegalStateException("create failed " + k);
                    }
                    create.add(System.nanoTime() - s);
                }
            });
            create.wall(System.nanoTime() - t0);
            rows.add(create.row("create, " + threads + " threads"));

            long heapLoaded = usedHeap();
            String memNote = String.format(Locale.ROOT, "heap after load: %,.0f bytes/object", (heapLoaded - heapBefore) / (double) n);

            // 2. CAS updates from one thread: the latency of one acknowledged write
            int updates = Math.min(n, 5_000);
            Stats update = new Stats(updates);
            t0 = System.nanoTime();
            for (int j = 0; j < updates; j++) {
                int i = ThreadLocalRandom.current().nextInt(n);
                String k = key(i);
                long s = System.nanoTime();
                KeyValue cur = store.get(k).orElseThrow();
                store.txn(List.of(new Compare(k, cur.modRevision())), List.of(new Put(k, value(i, 2))));
                update.add(System.nanoTime() - s);
            }
            update.wall(System.nanoTime() - t0);
            rows.add(update.row("get + CAS update, 1 thread"));

            // 3. gets (warm-up first)
            int gets = Math.min(n, 50_000);
            for (int j = 0; j < 20_000; j++) store.get(key(ThreadLocalRandom.current().nextInt(n)));
            Stats get1 = new Stats(gets);
            t0 = System.nanoTime();
            for (int j = 0; j < gets; j++) {
                String k = key(ThreadLocalRandom.current().nextInt(n));
                long s = System.nanoTime();
                if (store.get(k).isEmpty()) throw new IllegalStateException("missing " + k);
                get1.add(System.nanoTime() - s);
            }
            get1.wall(System.nanoTime() - t0);
            rows.add(get1.row("get, 1 thread"));
            Stats getN = new Stats(gets * 2);
            AtomicInteger left = new AtomicInteger(gets * 2);
            t0 = System.nanoTime();
            parallel(4, () -> {
                while (left.getAndDecrement() > 0) {
                    String k = key(ThreadLocalRandom.current().nextInt(n));
                    long s = System.nanoTime();
                    store.get(k).orElseThrow();
                    getN.add(System.nanoTime() - s);
                }
            });
            getN.wall(System.nanoTime() - t0);
            rows.add(getN.row("get, 4 threads"));

            // 4. lists: everything, one namespace, and paginated by 500 (after a warm-up round so
            //    the JIT has compiled the read path, as in a running server)
            int lists = n >= 100_000 ? 3 : 10;
            for (int j = 0; j < 3; j++) {
                store.list("/registry/pods/", null, 0);
                store.count("/registry/pods/");
                for (int ns = 0; ns < 10; ns++) store.list(String.format("/registry/pods/ns-%02d/", ns), null, 0);
                String after = null;
                Store.ListResult r;
                do {
                    r = store.list("/registry/pods/", after, 500);
                    if (!r.items().isEmpty()) after = r.items().get(r.items().size() - 1).key();
                } while (r.more());
            }
            Stats listAll = new Stats(lists);
            t0 = System.nanoTime();
            for (int j = 0; j < lists; j++) {
                long s = System.nanoTime();
                int got = store.list("/registry/pods/", null, 0).items().size();
                listAll.add(System.nanoTime() - s);
                if (got != n) throw new IllegalStateException("listed " + got);
            }
            listAll.wall(System.nanoTime() - t0);
            rows.add(listAll.row("list all " + n + " (one call)"));
            Stats listNs = new Stats(lists * 10);
            t0 = System.nanoTime();
            for (int j = 0; j < lists * 10; j++) {
                long s = System.nanoTime();
                store.list(String.format("/registry/pods/ns-%02d/", j % 10), null, 0);
                listNs.add(System.nanoTime() - s);
            }
            listNs.wall(System.nanoTime() - t0);
            rows.add(listNs.row("list one namespace (" + n / 10 + ")"));
            Stats page = new Stats(n / 500 * lists);
            t0 = System.nanoTime();
            for (int j = 0; j < lists; j++) {
                String after = null;
                int got = 0;
                while (true) {
                    long s = System.nanoTime();
                    Store.ListResult r = store.list("/registry/pods/", after, 500);
                    page.add(System.nanoTime() - s);
                    got += r.items().size();
                    if (!r.more()) break;
                    after = r.items().get(r.items().size() - 1).key();
                }
                if (got != n) throw new IllegalStateException("paged " + got);
            }
            page.wall(System.nanoTime() - t0);
            rows.add(page.row("list page of 500 (limit/continue)"));
            Stats count = new Stats(lists);
            t0 = System.nanoTime();
            for (int j = 0; j < lists; j++) {
                long s = System.nanoTime();
                store.count("/registry/pods/");
                count.add(System.nanoTime() - s);
            }
            count.wall(System.nanoTime() - t0);
            rows.add(count.row("count all"));

            // 5. watch fan-out: W watchers on all pods; latency from txn start to delivery
            rows.add(watch(store, n));

            // 6. memory
            store.compact(store.currentRevision());
            long heapCompacted = usedHeap();
            memNote += String.format(Locale.ROOT, "; after compacting all history: %,.0f bytes/object",
                    (heapCompacted - heapBefore) / (double) n);
            if (kind.equals("sqlite")) {
                long bytes = dirSize(dir);
                memNote += String.format(Locale.ROOT, "; files on disk %,.1f MiB = %,.0f bytes/object (db+wal, history of %,d revisions)",
                        bytes / 1048576.0, bytes / (double) n, store.currentRevision());
            }
            notes.add(memNote);
        }
        System.out.printf(Locale.ROOT, "### %s, %,d objects of %d bytes%n%n%s%n", kind, n, valueBytes, Stats.header());
        rows.forEach(System.out::println);
        System.out.println();
        notes.forEach(s -> System.out.println("- " + s));
        System.out.println();
        System.out.flush();
        deleteTree(dir);
    }

    private String watch(Store store, int n) throws Exception {
        int events = Math.min(n, 5_000);
        ConcurrentHashMap<Long, Long> started = new ConcurrentHashMap<>();
        Stats lat = new Stats(events * watchers);
        AtomicLong delivered = new AtomicLong();
        long from = store.currentRevision();
        long last = from + events;
        List<Store.Watch> ws = new ArrayList<>();
        for (int w = 0; w < watchers; w++) {
            ws.add(store.watch("/registry/pods/", from, e -> {
                Long s = started.get(e.revision());
                if (s != null) lat.add(System.nanoTime() - s);
                delivered.incrementAndGet();
            }));
        }
        long t0 = System.nanoTime();
        for (int j = 0; j < events; j++) {
            int i = j % n;
            started.put(from + j + 1, System.nanoTime());
            store.txn(List.of(), List.of(new Put(key(i), value(i, 3))));
        }
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (delivered.get() < (long) events * watchers && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        lat.wall(System.nanoTime() - t0);
        ws.forEach(Store.Watch::close);
        if (delivered.get() < (long) events * watchers) throw new IllegalStateException("watch delivered " + delivered + " of " + events * watchers);
        return lat.row("watch: put → " + watchers + " watchers (events delivered, put latency incl.)");
    }

    private static void parallel(int threads, Runnable work) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) fs.add(pool.submit(work));
            for (Future<?> f : fs) f.get();
        } finally {
            pool.shutdownNow();
        }
    }

    public static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            best = Math.min(best, rt.totalMemory() - rt.freeMemory());
        }
        return best;
    }

    public static long dirSize(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
