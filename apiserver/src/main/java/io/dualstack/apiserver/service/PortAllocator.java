package io.dualstack.apiserver.service;

import io.dualstack.core.plan.ClusterPlan.PortRange;

import java.util.BitSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.random.RandomGenerator;

/**
 * The NodePort allocator ({@code --service-node-port-range}), one for both families: a port is a
 * port on every node address of either family. Like upstream's {@code portallocator} with
 * KEP-3668 bands: the lowest {@code min(max(16, size/32), 128)} ports are a static band for
 * user-chosen ports; dynamic allocation tries the upper band first (random start, scan with wrap),
 * then the lower band. Thread-safe.
 */
public final class PortAllocator {
    private final PortRange range;
    private final int staticBand;
    private final BitSet used;
    private final RandomGenerator random;
    private int count;

    public PortAllocator(PortRange range, RandomGenerator random) {
        this.range = range;
        this.random = random;
        this.used = new BitSet(range.size());
        this.staticBand = rangeOffset(range.size());
    }

    /** KEP-3668: {@code min(max(16, size/32), 128)}, 0 when the range has 16 ports or fewer. */
    public static int rangeOffset(int size) {
        if (size <= 16) return 0;
        return Math.min(Math.max(16, size / 32), 128);
    }

    public PortRange range() {
        return range;
    }

    public int staticBand() {
        return staticBand;
    }

    public synchronized void allocate(int port) {
        if (!range.contains(port)) throw AllocationException.portNotInRange(range.toString());
        int off = port - range.first();
        if (used.get(off)) throw AllocationException.portAllocated();
        used.set(off);
        count++;
    }

    public synchronized int allocateNext() {
        int size = range.size();
        if (count >= size) throw AllocationException.full();
        int lo = Math.min(staticBand, size);
        int off = scan(lo, size);
        if (off < 0) off = scan(0, lo);
        if (off < 0) throw AllocationException.full();
        used.set(off);
        count++;
        return range.first() + off;
    }

    private int scan(int from, int to) {
        if (to <= from) return -1;
        int start = from + random.nextInt(to - from);
        int i = used.nextClearBit(start);
        if (i < to) return i;
        i = used.nextClearBit(from);
        return i < start ? i : -1;
    }

    public synchronized boolean release(int port) {
        if (!range.contains(port)) return false;
        int off = port - range.first();
        if (!used.get(off)) return false;
        used.clear(off);
        count--;
        return true;
    }

    public synchronized boolean isAllocated(int port) {
        return range.contains(port) && used.get(port - range.first());
    }

    public synchronized int allocatedCount() {
        return count;
    }

    public synchronized Set<Integer> allocated() {
        Set<Integer> s = new TreeSet<>();
        used.stream().forEach(i -> s.add(range.first() + i));
        return s;
    }

    public synchronized void clear() {
        used.clear();
        count = 0;
    }
}
