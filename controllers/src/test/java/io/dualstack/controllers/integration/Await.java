package io.dualstack.controllers.integration;

import java.time.Duration;
import java.util.function.Supplier;

/** Polls a condition until it holds or a generous deadline passes (no timed assertions: the deadline only bounds a hang). */
final class Await {
    private Await() {}

    static final Duration DEADLINE = Duration.ofSeconds(90);

    static <T> T until(String what, Supplier<T> probe, java.util.function.Predicate<T> done) {
        long end = System.nanoTime() + DEADLINE.toNanos();
        T last = null;
        RuntimeException lastError = null;
        while (System.nanoTime() < end) {
            try {
                last = probe.get();
                lastError = null;
                if (done.test(last)) return last;
            } catch (RuntimeException e) {
                lastError = e;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
        AssertionError err = new AssertionError("gave up waiting for " + what + "; last seen: " + last);
        if (lastError != null) err.initCause(lastError);
        throw err;
    }

    static void until(String what, java.util.function.BooleanSupplier condition) {
        until(what, condition::getAsBoolean, b -> b);
    }
}
