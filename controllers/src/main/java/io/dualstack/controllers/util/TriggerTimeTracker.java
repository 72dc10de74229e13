package io.dualstack.controllers.util;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * upstream's TriggerTimeTracker: for the {@code endpoints.kubernetes.io/last-change-trigger-time}
 * annotation, the earliest time of a change that the current sync reflects and an earlier sync
 * did not: the Service's creation time on its first sync or when it is newer than last seen, and
 * every pod whose Ready condition's lastTransitionTime is newer than last seen. Empty when
 * nothing changed (the annotation is then removed).
 */
public final class TriggerTimeTracker {
    private record State(Map<String, Instant> podTriggerTimes, Optional<Instant> serviceTriggerTime) {}

    private final Map<String, State> states = new ConcurrentHashMap<>();

    public Optional<Instant> compute(Service service, List<Pod> pods) {
        String key = Pods.key(service.getMetadata().getNamespace(), service.getMetadata().getName());
        State previous = states.get(key);
        boolean known = previous != null;
        Instant first = null;
        Optional<Instant> serviceTime = Pods.parseTime(service.getMetadata().getCreationTimestamp());
        if (!known && serviceTime.isPresent()) first = serviceTime.get();
        Map<String, Instant> podTimes = new HashMap<>();
        for (Pod pod : pods) {
            Optional<Instant> t = Pods.readyTransitionTime(pod);
            if (t.isEmpty()) continue;
            podTimes.put(pod.getMetadata().getName(), t.get());
            Instant seen = known ? previous.podTriggerTimes().get(pod.getMetadata().getName()) : null;
            if (seen == null || t.get().isAfter(seen)) first = min(first, t.get());
        }
        if (known && serviceTime.isPresent()
                && (previous.serviceTriggerTime().isEmpty() || serviceTime.get().isAfter(previous.serviceTriggerTime().get()))) {
            first = min(first, serviceTime.get());
        }
        states.put(key, new State(podTimes, serviceTime));
        return Optional.ofNullable(first);
    }

    public void forget(String namespace, String name) {
        states.remove(Pods.key(namespace, name));
    }

    private static Instant min(Instant a, Instant b) {
        if (a == null) return b;
        return a.isBefore(b) ? a : b;
    }
}
