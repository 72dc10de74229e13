package io.dualstack.apiserver.service;

/** An allocator refusal, with upstream's ipallocator/portallocator error text as the message. */
public final class AllocationException extends RuntimeException {
    public enum Kind { FULL, ALLOCATED, NOT_IN_RANGE }

    private final Kind kind;

    public AllocationException(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    static AllocationException full() {
        return new AllocationException(Kind.FULL, "range is full");
    }

    static AllocationException ipAllocated() {
        return new AllocationException(Kind.ALLOCATED, "provided IP is already allocated");
    }

    static AllocationException ipNotInRange(String ip, String validRange) {
        return new AllocationException(Kind.NOT_IN_RANGE,
                "the provided IP (" + ip + ") is not in the valid range. The range of valid IPs is " + validRange);
    }

    static AllocationException portAllocated() {
        return new AllocationException(Kind.ALLOCATED, "provided port is already allocated");
    }

    static AllocationException portNotInRange(String validRange) {
        return new AllocationException(Kind.NOT_IN_RANGE,
                "provided port is not in the valid range. The range of valid ports is " + validRange);
    }
}
