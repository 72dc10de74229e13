package io.dualstack.apiserver.storage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;

/**
 * An in-memory {@link Store} with the same semantics as {@link SqliteStore} except durability:
 * for tests and as the benchmarks' baseline. History lives in memory until compacted (explicitly
 * or by the automatic compactor).
 */
public final class MemoryStore implements Store {
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final TreeMap<String, KeyValue> data = new TreeMap<>(Keys.ORDER);
    private final WatchHub hub = new WatchHub(Integer.MAX_VALUE, 0, 0);
    private final StoreMetrics metrics = new StoreMetrics("memory", this::currentRevision, this::compactedRevision,
            () -> hub.watchCount(), () -> 0);
    private final AutoCompactor compactor;
    private long revision;
    private long compacted;
    private boolean closed;

    public MemoryStore() {
        this(StoreOptions.defaults());
    }

    public MemoryStore(StoreOptions options) {
        this.compactor = new AutoCompactor(this, options, "memory");
    }

    @Override
    public long currentRevision() {
        lock.readLock().lock();
        try {
            return revision;
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public long compactedRevision() {
        lock.readLock().lock();
        try {
            return compacted;
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public Optional<KeyValue> get(String key) {
        Keys.checkKey(key);
        lock.readLock().lock();
        try {
            checkOpen();
            return Optional.ofNullable(data.get(key));
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public ListResult list(String prefix, String startAfter, int limit) {
        if (limit < 0) throw new IllegalArgumentException("limit must be >= 0");
        String p = prefix == null ? "" : prefix;
        lock.readLock().lock();
        try {
            checkOpen();
            NavigableMap<String, KeyValue> range = startAfter == null || Keys.compare(startAfter, p) < 0
                    ? data.tailMap(p, true)
                    : data.tailMap(startAfter, false);
            List<KeyValue> items = new ArrayList<>(limit > 0 ? Math.min(limit, 1024) : 16);
            boolean more = false;
            for (KeyValue kv : range.values()) {
                if (!kv.key().startsWith(p)) break;
                if (limit > 0 && items.size() == limit) {
                    more = true;
                    break;
                }
                items.add(kv);
            }
            return new ListResult(List.copyOf(items), revision, more);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public long count(String prefix) {
        String p = prefix == null ? "" : prefix;
        lock.readLock().lock();
        try {
            checkOpen();
            long n = 0;
            for (String k : data.tailMap(p, true).keySet()) {
                if (!k.startsWith(p)) break;
                n++;
            }
            return n;
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public TxnResult txn(List<Compare> compares, List<Op> ops) {
        long start = System.nanoTime();
        Keys.checkTxn(compares, ops);
        TxnResult r;
        try {
            r = apply(compares, ops);
        } catch (RuntimeException e) {
            metrics.txn("error", start);
            throw e;
        }
        metrics.txn(r.succeeded() ? "succeeded" : "failed_compare", start);
        return r;
    }

    @Override
    public io.prometheus.metrics.model.registry.PrometheusRegistry metrics() {
        return metrics.registry();
    }

    private TxnResult apply(List<Compare> compares, List<Op> ops) {
        lock.writeLock().lock();
        try {
            checkOpen();
            for (Compare c : compares) {
                KeyValue cur = data.get(c.key());
                long mod = cur == null ? 0 : cur.modRevision();
                if (mod != c.modRevision()) {
                    return new TxnResult(false, revision);
                }
            }
            long next = revision + 1;
            List<Event> events = new ArrayList<>(ops.size());
            Map<String, KeyValue> writes = new HashMap<>();
            for (Op op : ops) {
                if (op instanceof Put put) {
                    KeyValue prev = data.get(put.key());
                    long created = prev == null ? next : prev.createRevision();
                    KeyValue kv = new KeyValue(put.key(), Arrays.copyOf(put.value(), put.value().length), created, next);
                    writes.put(put.key(), kv);
                    events.add(new Event(EventType.PUT, kv, prev, next));
                } else {
                    Delete del = (Delete) op;
                    KeyValue prev = data.get(del.key());
                    if (prev != null) {
                        writes.put(del.key(), null);
                        events.add(new Event(EventType.DELETE, tombstone(prev, next), prev, next));
                    }
                }
            }
            if (events.isEmpty()) {
                return new TxnResult(true, revision);
            }
            for (Map.Entry<String, KeyValue> w : writes.entrySet()) {
                if (w.getValue() == null) {
                    data.remove(w.getKey());
                } else {
                    data.put(w.getKey(), w.getValue());
                }
            }
            revision = next;
            hub.publish(next, events);
            return new TxnResult(true, next);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** The {@code kv} of a DELETE event: the key, an empty value, and the deleting revision. */
    static KeyValue tombstone(KeyValue prev, long revision) {
        return new KeyValue(prev.key(), new byte[0], prev.createRevision(), revision);
    }

    @Override
    public Watch watch(String prefix, long fromRevision, Consumer<Event> sink) throws CompactedException {
        lock.readLock().lock();
        try {
            checkOpen();
            if (fromRevision < compacted) {
                throw new CompactedException(fromRevision, compacted);
            }
            long c = compacted;
            return hub.watch(prefix, fromRevision, sink, (p, after, upTo) -> {
                throw new CompactedException(after, c);
            });
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void compact(long rev) {
        lock.writeLock().lock();
        try {
            checkOpen();
            if (rev > revision) {
                throw new IllegalArgumentException("required revision " + rev + " is a future revision (current " + revision + ")");
            }
            if (rev <= compacted) {
                return;
            }
            compacted = rev;
            hub.compact(rev);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Events kept for watches (history since the last compaction). */
    public int historyEvents() {
        return hub.cachedEvents();
    }

    private void checkOpen() {
        if (closed) throw new StoreException("store is closed");
    }

    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (closed) return;
            closed = true;
        } finally {
            lock.writeLock().unlock();
        }
        compactor.close();
        hub.close();
    }
}
