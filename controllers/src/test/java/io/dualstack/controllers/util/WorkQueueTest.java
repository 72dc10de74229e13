package io.dualstack.controllers.util;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class WorkQueueTest {
    @Test
    void keyAddedWhileBeingProcessedIsProcessedAgainButNeverConcurrently() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger concurrent = new AtomicInteger();
        AtomicInteger maxConcurrent = new AtomicInteger();
        List<String> seen = new CopyOnWriteArrayList<>();
        try (WorkQueue<String> q = new WorkQueue<>("t", 4, key -> {
            int now = concurrent.incrementAndGet();
            maxConcurrent.accumulateAndGet(now, Math::max);
            seen.add(key);
            inside.countDown();
            release.await(60, TimeUnit.SECONDS);
            concurrent.decrementAndGet();
        })) {
            q.start();
            q.add("svc");
            assertThat(inside.await(60, TimeUnit.SECONDS)).isTrue();
            q.add("svc");
            q.add("svc");
            release.countDown();
            while (!q.idle()) Thread.sleep(10);
        }
        assertThat(seen).containsExactly("svc", "svc");
        assertThat(maxConcurrent.get()).isEqualTo(1);
    }

    @Test
    void failingKeyIsRetriedUntilItSucceeds() throws Exception {
        ConcurrentHashMap<String, Integer> attempts = new ConcurrentHashMap<>();
        CountDownLatch succeeded = new CountDownLatch(1);
        try (WorkQueue<String> q = new WorkQueue<>("t", 1, 15, Duration.ofMillis(20), key -> {
            if (attempts.merge(key, 1, Integer::sum) < 3) throw new IllegalStateException("conflict");
            succeeded.countDown();
        })) {
            q.start();
            q.add("svc");
            assertThat(succeeded.await(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(attempts.get("svc")).isEqualTo(3);
    }

    @Test
    void backoffDoublesFrom5msUpToTheCap() {
        try (WorkQueue<String> q = new WorkQueue<>("t", 1, 15, Duration.ofSeconds(1), key -> { })) {
            assertThat(q.backoff(1)).isEqualTo(Duration.ofMillis(5));
            assertThat(q.backoff(2)).isEqualTo(Duration.ofMillis(10));
            assertThat(q.backoff(5)).isEqualTo(Duration.ofMillis(80));
            assertThat(q.backoff(30)).isEqualTo(Duration.ofSeconds(1));
        }
    }
}
