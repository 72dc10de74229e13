package io.dualstack.apiserver.storage;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watch fan-out shared by the implementations: a ring of recent events plus, for revisions older
 * than the ring, a {@link HistoryLoader} (the database). Each watch gets its own queue and daemon
 * delivery thread, so a slow sink never blocks writers or other watches.
 *
 * <p>Stores call {@link #publish} after each commit, in revision order (while holding their write
 * lock).
 */
final class WatchHub implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WatchHub.class);
    private static final AtomicLong IDS = new AtomicLong();

    /** Loads committed events with {@code after < revision <= upTo} for keys under a prefix. */
    interface HistoryLoader {
        List<Store.Event> load(String prefix, long after, long upTo) throws Store.CompactedException;
    }

    private final Object lock = new Object();
    private final ArrayDeque<Store.Event> ring = new ArrayDeque<>();
    private final int capacity;
    private final List<Watcher> watchers = new ArrayList<>();
    /** The ring holds every event with revision {@code > floor}. */
    private long floor;
    private long lastRevision;
    private boolean closed;

    WatchHub(int capacity, long startRevision, long floor) {
        this.capacity = capacity;
        this.lastRevision = startRevision;
        this.floor = Math.max(floor, startRevision);
    }

    /** Every event with revision greater than this is in memory. */
    long floor() {
        synchronized (lock) {
            return floor;
        }
    }

    long lastRevision() {
        synchronized (lock) {
            return lastRevision;
        }
    }

    int cachedEvents() {
        synchronized (lock) {
            return ring.size();
        }
    }

    /** Records the events of one committed revision and hands them to matching watches. */
    void publish(long revision, List<Store.Event> events) {
        synchronized (lock) {
            if (revision <= lastRevision) {
                throw new IllegalStateException("revision " + revision + " published after " + lastRevision);
            }
            lastRevision = revision;
            ring.addAll(events);
            while (ring.size() > capacity) {
                // drop whole revisions so the ring stays complete above the floor
                long drop = ring.peekFirst().revision();
                while (!ring.isEmpty() && ring.peekFirst().revision() == drop) {
                    ring.pollFirst();
                }
                floor = drop;
            }
            for (Watcher w : watchers) {
                for (Store.Event e : events) {
                    if (Keys.matches(e.kv().key(), w.prefix)) {
                        w.offer(e);
                    }
                }
            }
        }
    }

    /** Forgets cached events up to and including {@code revision}. */
    void compact(long revision) {
        synchronized (lock) {
            while (!ring.isEmpty() && ring.peekFirst().revision() <= revision) {
                ring.pollFirst();
            }
            floor = Math.max(floor, Math.min(revision, lastRevision));
        }
    }

    Store.Watch watch(String prefix, long fromRevision, Consumer<Store.Event> sink, HistoryLoader loader)
            throws Store.CompactedException {
        Watcher w = new Watcher(prefix == null ? "" : prefix, fromRevision, sink);
        long upTo;
        synchronized (lock) {
            if (closed) {
                throw new StoreException("store is closed");
            }
            watchers.add(w);
            if (fromRevision >= floor) {
                for (Store.Event e : ring) {
                    if (e.revision() > fromRevision && Keys.matches(e.kv().key(), w.prefix)) {
                        w.offer(e);
                    }
                }
                w.start();
                return w;
            }
            upTo = lastRevision;
        }
        // Older than the ring: live events after upTo queue up in w while history loads.
        List<Store.Event> history;
        try {
            history = loader.load(w.prefix, fromRevision, upTo);
        } catch (Store.CompactedException | RuntimeException e) {
            w.close();
            throw e;
        }
        w.prepend(history);
        w.start();
        return w;
    }

    private void remove(Watcher w) {
        synchronized (lock) {
            watchers.remove(w);
        }
    }

    int watchCount() {
        synchronized (lock) {
            return watchers.size();
        }
    }

    @Override
    public void close() {
        List<Watcher> all;
        synchronized (lock) {
            closed = true;
            all = new ArrayList<>(watchers);
        }
        all.forEach(Watcher::close);
    }

    private final class Watcher implements Store.Watch, Runnable {
        final String prefix;
        final Consumer<Store.Event> sink;
        /** Only events after this revision are delivered (a writer may publish a revision that a
         *  reader already saw before the watch registered). */
        final long after;
        private final ArrayDeque<Store.Event> queue = new ArrayDeque<>();
        private boolean stopped;
        private Thread thread;

        Watcher(String prefix, long after, Consumer<Store.Event> sink) {
            this.prefix = prefix;
            this.after = after;
            this.sink = sink;
        }

        synchronized void offer(Store.Event e) {
            if (!stopped && e.revision() > after) {
                queue.addLast(e);
                notifyAll();
            }
        }

        synchronized void prepend(List<Store.Event> history) {
            for (int i = history.size() - 1; i >= 0; i--) {
                queue.addFirst(history.get(i));
            }
            notifyAll();
        }

        synchronized void start() {
            if (stopped) return;
            thread = new Thread(this, "store-watch-" + IDS.incrementAndGet());
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void run() {
            List<Store.Event> batch = new ArrayList<>();
            while (true) {
                synchronized (this) {
                    while (queue.isEmpty() && !stopped) {
                        try {
                            wait();
                        } catch (InterruptedException e) {
                            stopped = true;
                        }
                    }
                    if (stopped) return;
                    batch.addAll(queue);
                    queue.clear();
                }
                for (Iterator<Store.Event> it = batch.iterator(); it.hasNext(); ) {
                    Store.Event e = it.next();
                    synchronized (this) {
                        if (stopped) return;
                    }
                    try {
                        sink.accept(e);
                    } catch (RuntimeException ex) {
                        LOG.warn("watch sink on {} failed; closing the watch", prefix, ex);
                        close();
                        return;
                    }
                }
                batch.clear();
            }
        }

        @Override
        public void close() {
            synchronized (this) {
                if (stopped) {
                    remove(this);
                    return;
                }
                stopped = true;
                queue.clear();
                notifyAll();
            }
            remove(this);
        }
    }
}
