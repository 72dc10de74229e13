package io.dualstack.apiserver.storage;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A revisioned key-value store, the shape of etcd's KV + Watch API (and of kine over SQLite).
 *
 * <ul>
 *   <li>Every successful write transaction bumps one global revision; each key remembers the
 *       revision that created it and the revision that last modified it. The API server uses the
 *       modification revision as {@code metadata.resourceVersion}.</li>
 *   <li>{@link #txn} is all-or-nothing: when a compare fails or an error occurs, nothing changes.
 *       A transaction that returned successfully is durable (it survives {@code kill -9}).</li>
 *   <li>Watches deliver every change after a revision, in revision order, exactly once; a watch
 *       from a revision older than the compacted history fails with {@link CompactedException}.</li>
 * </ul>
 * Keys are strings such as {@code /registry/services/default/web}; values are opaque bytes (JSON).
 */
public interface Store extends AutoCloseable {

    /** The revision of the last committed write (0 for an empty store). */
    long currentRevision();

    /** The oldest revision a watch can start after ({@code fromRevision >= compactedRevision()}). */
    long compactedRevision();

    Optional<KeyValue> get(String key);

    /**
     * Keys with {@code prefix}, in key order, strictly after {@code startAfter} (null: from the
     * first), at most {@code limit} (0: no limit), read at one consistent revision.
     */
    ListResult list(String prefix, String startAfter, int limit);

    /** Counts keys under a prefix. */
    long count(String prefix);

    /**
     * Applies {@code ops} atomically if every compare holds. Returns the new revision on success;
     * on a failed compare returns {@link TxnResult#succeeded()} false and changes nothing.
     */
    TxnResult txn(List<Compare> compares, List<Op> ops);

    /**
     * Streams every event for keys under {@code prefix} with revision {@code > fromRevision} to
     * {@code sink}, first the history then live events, until the returned handle is closed.
     *
     * @throws CompactedException when {@code fromRevision < compactedRevision()}
     */
    Watch watch(String prefix, long fromRevision, Consumer<Event> sink) throws CompactedException;

    /** Drops history up to and including {@code revision} (current values are kept). */
    void compact(long revision);

    /**
     * This store's metrics ({@code dualstack_store_*}: txns by result, txn and commit latency,
     * group-commit batch size, current/compacted revision, watchers, database size), in a registry
     * of the store's own for the server to expose; empty for implementations without metrics.
     */
    default io.prometheus.metrics.model.registry.PrometheusRegistry metrics() {
        return new io.prometheus.metrics.model.registry.PrometheusRegistry();
    }

    @Override
    void close();

    record KeyValue(String key, byte[] value, long createRevision, long modRevision) {}

    record ListResult(List<KeyValue> items, long revision, boolean more) {}

    record TxnResult(boolean succeeded, long revision) {}

    enum EventType { PUT, DELETE }

    /** A change; for PUT {@code kv} is the new value, for DELETE {@code prevKv} is the last value. */
    record Event(EventType type, KeyValue kv, KeyValue prevKv, long revision) {}

    /** A condition on one key; {@code modRevision == 0} means "the key does not exist". */
    record Compare(String key, long modRevision) {
        public static Compare absent(String key) {
            return new Compare(key, 0);
        }
    }

    sealed interface Op permits Put, Delete {}

    record Put(String key, byte[] value) implements Op {}

    record Delete(String key) implements Op {}

    interface Watch extends AutoCloseable {
        @Override
        void close();
    }

    final class CompactedException extends Exception {
        private final long compactedRevision;

        public CompactedException(long requested, long compactedRevision) {
            super("required revision " + requested + " has been compacted (oldest available " + compactedRevision + ")");
            this.compactedRevision = compactedRevision;
        }

        public long compactedRevision() {
            return compactedRevision;
        }
    }
}
