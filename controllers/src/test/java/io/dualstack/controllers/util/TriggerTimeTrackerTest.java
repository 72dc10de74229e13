package io.dualstack.controllers.util;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** upstream TriggerTimeTracker: the earliest change a sync reflects that no earlier sync did. */
class TriggerTimeTrackerTest {
    static Pod readyAt(String name, String time) {
        return new PodBuilder(Fixtures.pod(name, "kind-worker", true, "10.244.0.5").build()).editStatus().editFirstCondition()
                .withLastTransitionTime(time).endCondition().endStatus().build();
    }

    @Test
    void firstSyncUsesTheEarlierOfServiceCreationAndPodReadyTimes() {
        Service svc = Fixtures.service("web", List.of("IPv4"), "10.96.0.10", 80).build(); // created 2026-01-01T00:00:00Z
        TriggerTimeTracker t = new TriggerTimeTracker();
        assertThat(t.compute(svc, List.of(readyAt("a", "2026-01-01T00:00:30Z"))))
                .contains(Instant.parse("2026-01-01T00:00:00Z"));
    }

    @Test
    void unchangedSyncHasNoTriggerTimeAndChangesReportTheirOwnTime() {
        Service svc = Fixtures.service("web", List.of("IPv4"), "10.96.0.10", 80).build();
        TriggerTimeTracker t = new TriggerTimeTracker();
        t.compute(svc, List.of(readyAt("a", "2026-01-01T00:00:30Z")));
        assertThat(t.compute(svc, List.of(readyAt("a", "2026-01-01T00:00:30Z")))).isEqualTo(Optional.empty());
        // a's readiness flipped at :50, b became ready at :40 → the earliest unseen change
        assertThat(t.compute(svc, List.of(readyAt("a", "2026-01-01T00:00:50Z"), readyAt("b", "2026-01-01T00:00:40Z"))))
                .contains(Instant.parse("2026-01-01T00:00:40Z"));
        t.forget("default", "web");
        assertThat(t.compute(svc, List.of())).contains(Instant.parse("2026-01-01T00:00:00Z"));
    }
}
