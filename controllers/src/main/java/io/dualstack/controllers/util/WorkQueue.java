package io.dualstack.controllers.util;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A keyed work queue with client-go's semantics: a key queued several times before a worker takes
 * it is processed once; a key is never processed by two workers at once (a key added while it is
 * being processed is processed again afterwards); failed keys are retried with per-key exponential
 * backoff (5 ms doubling, capped at {@code maxBackoff}) up to {@code maxRetries} times.
 *
 * <p>Workers are platform threads named {@code <name>-worker-N}.
 */
public final class WorkQueue<K> implements AutoCloseable {
    /** What a worker does with a key. Throwing means "retry later". */
    @FunctionalInterface
    public interface Handler<K> {
        void sync(K key) throws Exception;
    }

    private static final Logger LOG = LoggerFactory.getLogger(WorkQueue.class);
    private static final Duration BASE_BACKOFF = Duration.ofMillis(5);

    private final String name;
    private final int workers;
    private final Handler<K> handler;
    private final int maxRetries;
    private final Duration maxBackoff;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final LinkedHashSet<K> queue = new LinkedHashSet<>();
    private final Set<K> processing = new HashSet<>();
    private final Set<K> dirty = new HashSet<>();
    private final Map<K, Integer> failures = new HashMap<>();
    private final AtomicInteger delayed = new AtomicInteger();
    private final AtomicLong processed = new AtomicLong();
    private final ScheduledExecutorService timer;
    private final Thread[] threads;
    private volatile boolean shuttingDown;

    public WorkQueue(String name, int workers, int maxRetries, Duration maxBackoff, Handler<K> handler) {
        if (workers < 1) throw new IllegalArgumentException("workers must be at least 1");
        this.name = name;
        this.workers = workers;
        this.handler = handler;
        this.maxRetries = maxRetries;
        this.maxBackoff = maxBackoff;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name + "-delay");
            t.setDaemon(true);
            return t;
        });
        this.threads = new Thread[workers];
    }

    /** A queue with upstream's controller defaults: 15 retries, backoff capped at 1000 s. */
    public WorkQueue(String name, int workers, Handler<K> handler) {
        this(name, workers, 15, Duration.ofSeconds(1000), handler);
    }

    public String name() {
        return name;
    }

    public void start() {
        for (int i = 0; i < workers; i++) {
            Thread t = new Thread(this::runWorker, name + "-worker-" + i);
            t.setDaemon(true);
            threads[i] = t;
            t.start();
        }
    }

    /** Queues a key now. */
    public void add(K key) {
        lock.lock();
        try {
            if (shuttingDown) return;
            if (processing.contains(key)) {
                dirty.add(key);
                return;
            }
            if (queue.add(key)) notEmpty.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Queues a key after a delay (zero or negative: now). */
    public void addAfter(K key, Duration delay) {
        if (delay.isZero() || delay.isNegative()) {
            add(key);
            return;
        }
        if (shuttingDown) return;
        delayed.incrementAndGet();
        try {
            timer.schedule(() -> {
                try {
                    add(key);
                } finally {
                    delayed.decrementAndGet();
                }
            }, delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RuntimeException rejected) {
            delayed.decrementAndGet();
        }
    }

    /** True when nothing is queued, being processed or waiting for a delay. */
    public boolean idle() {
        lock.lock();
        try {
            return queue.isEmpty() && processing.isEmpty() && dirty.isEmpty() && delayed.get() == 0;
        } finally {
            lock.unlock();
        }
    }

    public int length() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    /** Keys handled so far (successfully or not). */
    public long processedCount() {
        return processed.get();
    }

    private K take() throws InterruptedException {
        lock.lock();
        try {
            while (queue.isEmpty()) {
                if (shuttingDown) return null;
                notEmpty.await();
            }
            var it = queue.iterator();
            K key = it.next();
            it.remove();
            processing.add(key);
            return key;
        } finally {
            lock.unlock();
        }
    }

    private void done(K key) {
        lock.lock();
        try {
            processing.remove(key);
            if (dirty.remove(key) && !shuttingDown) {
                if (queue.add(key)) notEmpty.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    private void runWorker() {
        while (true) {
            K key;
            try {
                key = take();
            } catch (InterruptedException e) {
                return;
            }
            if (key == null) return;
            try {
                handler.sync(key);
                forget(key);
            } catch (Throwable t) {
                retry(key, t);
            } finally {
                processed.incrementAndGet();
                done(key);
            }
        }
    }

    private void forget(K key) {
        lock.lock();
        try {
            failures.remove(key);
        } finally {
            lock.unlock();
        }
    }

    private void retry(K key, Throwable error) {
        int n;
        lock.lock();
        try {
            n = failures.merge(key, 1, Integer::sum);
            if (n > maxRetries) failures.remove(key);
        } finally {
            lock.unlock();
        }
        if (n > maxRetries) {
            LOG.warn("{}: dropping {} out of the queue after {} retries: {}", name, key, maxRetries, error.toString());
            return;
        }
        LOG.debug("{}: error syncing {}, retrying: {}", name, key, error.toString());
        addAfter(key, backoff(n));
    }

    Duration backoff(int failuresSoFar) {
        int shift = Math.min(failuresSoFar - 1, 40);
        long nanos = BASE_BACKOFF.toNanos() << Math.min(shift, 30);
        if (shift > 30 || nanos > maxBackoff.toNanos() || nanos <= 0) return maxBackoff;
        return Duration.ofNanos(nanos);
    }

    @Override
    public void close() {
        lock.lock();
        try {
            shuttingDown = true;
            queue.clear();
            dirty.clear();
            notEmpty.signalAll();
        } finally {
            lock.unlock();
        }
        timer.shutdownNow();
        for (Thread t : threads) {
            if (t == null) continue;
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
