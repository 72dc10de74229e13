package io.dualstack.apiserver.storage;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.function.LongSupplier;

/**
 * The metrics of one store, in a registry of its own (so several stores in one JVM never clash).
 * Names follow etcd's meanings under the {@code dualstack_store_} prefix.
 */
final class StoreMetrics {
    private static final double[] TIME_BUCKETS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter txns;
    private final Histogram txnSeconds;
    private final Histogram commitSeconds;
    private final Histogram batchTxns;

    StoreMetrics(String backend, LongSupplier revision, LongSupplier compacted, LongSupplier watchers, LongSupplier sizeBytes) {
        txns = Counter.builder().name("dualstack_store_txns_total")
                .help("Transactions by result: succeeded, failed_compare (nothing changed), error.")
                .labelNames("backend", "result").register(registry);
        txnSeconds = Histogram.builder().name("dualstack_store_txn_duration_seconds")
                .help("Time from a txn call to its answer (for SQLite: until its batch is committed).")
                .classicOnly().classicUpperBounds(TIME_BUCKETS).labelNames("backend").register(registry);
        commitSeconds = Histogram.builder().name("dualstack_store_commit_duration_seconds")
                .help("Time of one database commit including its fsync (etcd_disk_backend_commit_duration_seconds).")
                .classicOnly().classicUpperBounds(TIME_BUCKETS).labelNames("backend").register(registry);
        batchTxns = Histogram.builder().name("dualstack_store_commit_batch_txns")
                .help("Transactions sharing one commit (group commit).")
                .classicOnly().classicUpperBounds(1, 2, 4, 8, 16, 32, 64, 128, 256, 512).labelNames("backend").register(registry);
        GaugeWithCallback.builder().name("dualstack_store_current_revision")
                .help("The revision of the last committed write (resourceVersion).").labelNames("backend")
                .callback(cb -> cb.call(revision.getAsLong(), backend)).register(registry);
        GaugeWithCallback.builder().name("dualstack_store_compact_revision")
                .help("History up to this revision is compacted; older watches get 410 Gone.").labelNames("backend")
                .callback(cb -> cb.call(compacted.getAsLong(), backend)).register(registry);
        GaugeWithCallback.builder().name("dualstack_store_watchers")
                .help("Open watches.").labelNames("backend")
                .callback(cb -> cb.call(watchers.getAsLong(), backend)).register(registry);
        GaugeWithCallback.builder().name("dualstack_store_db_total_size_in_bytes")
                .help("Size of the database files (SQLite: db + wal); 0 for the memory store.").labelNames("backend")
                .callback(cb -> cb.call(sizeBytes.getAsLong(), backend)).register(registry);
        this.backend = backend;
    }

    private final String backend;

    PrometheusRegistry registry() {
        return registry;
    }

    void txn(String result, long startNanos) {
        txns.labelValues(backend, result).inc();
        txnSeconds.labelValues(backend).observe((System.nanoTime() - startNanos) / 1e9);
    }

    void commit(int batch, long startNanos) {
        commitSeconds.labelValues(backend).observe((System.nanoTime() - startNanos) / 1e9);
        batchTxns.labelValues(backend).observe(batch);
    }
}
