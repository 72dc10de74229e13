package io.dualstack.controllers.workload;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * upstream's ControllerExpectations: after a ReplicaSet creates or deletes pods it waits until
 * its informer has seen them before counting pods again, so a stale cache never makes it create
 * or delete twice. Expectations older than five minutes are dropped (upstream's TTL).
 */
final class Expectations {
    static final Duration TTL = Duration.ofMinutes(5);

    private static final class Entry {
        int adds;
        final Set<String> deletes = new HashSet<>();
        Instant at = Instant.now();
    }

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    synchronized void expectCreations(String key, int n) {
        Entry e = entries.computeIfAbsent(key, k -> new Entry());
        e.adds += n;
        e.at = Instant.now();
    }

    synchronized void creationObserved(String key) {
        Entry e = entries.get(key);
        if (e != null && e.adds > 0) e.adds--;
    }

    synchronized void expectDeletion(String key, String podName) {
        Entry e = entries.computeIfAbsent(key, k -> new Entry());
        e.deletes.add(podName);
        e.at = Instant.now();
    }

    synchronized void deletionObserved(String key, String podName) {
        Entry e = entries.get(key);
        if (e != null) e.deletes.remove(podName);
    }

    synchronized boolean satisfied(String key) {
        Entry e = entries.get(key);
        if (e == null) return true;
        if ((e.adds <= 0 && e.deletes.isEmpty()) || e.at.plus(TTL).isBefore(Instant.now())) {
            entries.remove(key);
            return true;
        }
        return false;
    }

    synchronized void forget(String key) {
        entries.remove(key);
    }
}
