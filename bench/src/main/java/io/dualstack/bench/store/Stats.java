package io.dualstack.bench.store;

import java.util.Arrays;
import java.util.Locale;

/** Latency samples (nanoseconds) of one phase and its wall time. */
public final class Stats {
    private long[] samples;
    private int n;
    private long wallNanos;

    public Stats(int capacity) {
        samples = new long[Math.max(16, capacity)];
    }

    public synchronized void add(long nanos) {
        if (n == samples.length) samples = Arrays.copyOf(samples, n * 2);
        samples[n++] = nanos;
    }

    public void wall(long nanos) {
        wallNanos = nanos;
    }

    public synchronized int count() {
        return n;
    }

    public synchronized double percentileMicros(double p) {
        if (n == 0) return Double.NaN;
        long[] s = Arrays.copyOf(samples, n);
        Arrays.sort(s);
        int idx = (int) Math.min(n - 1, Math.max(0, Math.ceil(p / 100.0 * n) - 1));
        return s[idx] / 1000.0;
    }

    public double perSecond() {
        return count() / (wallNanos / 1e9);
    }

    /** One markdown table row: ops, ops/s, p50, p99, max (µs). */
    public String row(String what) {
        return String.format(Locale.ROOT, "| %s | %,d | %,.0f | %,.1f | %,.1f | %,.1f |", what, count(), perSecond(),
                percentileMicros(50), percentileMicros(99), percentileMicros(100));
    }

    public static String header() {
        return "| operation | ops | ops/s | p50 µs | p99 µs | max µs |\n|---|---:|---:|---:|---:|---:|";
    }
}
