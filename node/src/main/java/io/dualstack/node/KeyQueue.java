package io.dualstack.node;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A work queue as client-go's: a key queued several times is processed once; a key is never
 * processed by two workers at once (a key added while processing is queued again after {@link #done}).
 */
final class KeyQueue implements AutoCloseable {
    private final Deque<String> queue = new ArrayDeque<>();
    private final Set<String> dirty = new HashSet<>();
    private final Set<String> processing = new HashSet<>();
    private final ScheduledExecutorService delays;
    private boolean closed;

    KeyQueue(String name) {
        this.delays = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name + "-requeue");
            t.setDaemon(true);
            return t;
        });
    }

    synchronized void add(String key) {
        if (closed || dirty.contains(key)) return;
        dirty.add(key);
        if (!processing.contains(key)) {
            queue.addLast(key);
            notifyAll();
        }
    }

    void addAfter(String key, long millis) {
        if (closed) return;
        delays.schedule(() -> add(key), millis, TimeUnit.MILLISECONDS);
    }

    /** Blocks for the next key; empty once closed. */
    synchronized Optional<String> take() throws InterruptedException {
        while (queue.isEmpty() && !closed) wait();
        if (closed) return Optional.empty();
        String key = queue.removeFirst();
        dirty.remove(key);
        processing.add(key);
        return Optional.of(key);
    }

    synchronized void done(String key) {
        processing.remove(key);
        if (dirty.contains(key)) {
            queue.addLast(key);
            notifyAll();
        }
    }

    synchronized int pending() {
        return queue.size();
    }

    @Override
    public synchronized void close() {
        closed = true;
        delays.shutdownNow();
        notifyAll();
    }
}
