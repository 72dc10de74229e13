package io.dualstack.apiserver.storage;

import java.time.Duration;
import java.util.Objects;

/**
 * Tuning for a {@link Store}.
 *
 * @param compactInterval how often automatic compaction runs; each run compacts up to the revision
 *     that was current at the previous run (so at least one interval of history stays, like
 *     kube-apiserver's 5-minute compaction). {@link Duration#ZERO} disables automatic compaction.
 * @param maxHistoryRevisions each automatic run also compacts so that at most this many revisions
 *     of history remain (0: no count limit).
 * @param watchCacheEvents how many recent events stay in memory for watches; older history is read
 *     from the database (SQLite) — for {@link MemoryStore} the in-memory log is the whole history.
 * @param durability SQLite {@code synchronous} setting, see {@link Durability}.
 * @param readers size of the SQLite reader connection pool.
 */
public record StoreOptions(Duration compactInterval, long maxHistoryRevisions, int watchCacheEvents,
                           Durability durability, int readers) {

    /** SQLite {@code PRAGMA synchronous} in WAL mode. */
    public enum Durability {
        /**
         * fsync the WAL on every commit: an acknowledged write survives kill -9 <em>and</em> power
         * loss / kernel crash. The default.
         */
        FULL,
        /**
         * No fsync per commit: the commit is in the WAL file (OS page cache) before the txn
         * returns, so it survives kill -9 of the process, but the last commits may be lost on power
         * loss or kernel crash (the database stays consistent either way).
         */
        NORMAL
    }

    public StoreOptions {
        Objects.requireNonNull(compactInterval, "compactInterval");
        Objects.requireNonNull(durability, "durability");
        if (compactInterval.isNegative()) throw new IllegalArgumentException("compactInterval must not be negative");
        if (maxHistoryRevisions < 0) throw new IllegalArgumentException("maxHistoryRevisions must be >= 0");
        if (watchCacheEvents < 1) throw new IllegalArgumentException("watchCacheEvents must be >= 1");
        if (readers < 1) throw new IllegalArgumentException("readers must be >= 1");
    }

    /** 5-minute compaction, 100k revisions of history at most, 10k cached events, FULL, 4 readers. */
    public static StoreOptions defaults() {
        return new StoreOptions(Duration.ofMinutes(5), 100_000, 10_000, Durability.FULL, 4);
    }

    public StoreOptions withCompactInterval(Duration d) {
        return new StoreOptions(d, maxHistoryRevisions, watchCacheEvents, durability, readers);
    }

    public StoreOptions withMaxHistoryRevisions(long n) {
        return new StoreOptions(compactInterval, n, watchCacheEvents, durability, readers);
    }

    public StoreOptions withWatchCacheEvents(int n) {
        return new StoreOptions(compactInterval, maxHistoryRevisions, n, durability, readers);
    }

    public StoreOptions withDurability(Durability d) {
        return new StoreOptions(compactInterval, maxHistoryRevisions, watchCacheEvents, d, readers);
    }

    public StoreOptions withReaders(int n) {
        return new StoreOptions(compactInterval, maxHistoryRevisions, watchCacheEvents, durability, n);
    }
}
