package io.dualstack.apiserver.storage;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Automatic compaction: every interval, compact to the revision that was current one interval ago
 * (kube-apiserver's scheme), and further if more than {@code maxHistoryRevisions} remain.
 */
final class AutoCompactor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AutoCompactor.class);

    private final Store store;
    private final long maxHistory;
    private final ScheduledExecutorService timer;
    private long previousTick;

    AutoCompactor(Store store, StoreOptions options, String name) {
        this.store = store;
        this.maxHistory = options.maxHistoryRevisions();
        this.previousTick = store.currentRevision();
        if (options.compactInterval().isZero()) {
            timer = null;
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "store-compactor-" + name);
            t.setDaemon(true);
            return t;
        });
        long ms = Math.max(1, options.compactInterval().toMillis());
        timer.scheduleWithFixedDelay(this::tick, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** The revision one automatic run would compact to now, given the previous run's revision. */
    static long target(long previousTick, long current, long compacted, long maxHistory) {
        long t = previousTick;
        if (maxHistory > 0) {
            t = Math.max(t, current - maxHistory);
        }
        t = Math.min(t, current);
        return t > compacted ? t : -1;
    }

    void tick() {
        try {
            long current = store.currentRevision();
            long t = target(previousTick, current, store.compactedRevision(), maxHistory);
            previousTick = current;
            if (t > 0) {
                store.compact(t);
                LOG.debug("compacted to revision {}", t);
            }
        } catch (RuntimeException e) {
            LOG.warn("automatic compaction failed", e);
        }
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
