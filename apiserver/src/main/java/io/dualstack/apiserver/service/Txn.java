package io.dualstack.apiserver.service;

import io.dualstack.apiserver.registry.AdmissionContext;

import java.util.ArrayList;
import java.util.List;

/**
 * The allocation side of one admission: reservations to undo if the write fails (dry runs abort
 * too) and releases to carry out only once it commits, as upstream's {@code callbackTransaction}.
 * Each side runs at most once.
 */
final class Txn {
    private final List<Runnable> undo = new ArrayList<>();
    private final List<Runnable> onCommit = new ArrayList<>();
    private boolean done;

    Txn(AdmissionContext ctx) {
        ctx.onAbort(this::revert);
        ctx.onCommit(this::commit);
    }

    /** For code paths outside a request (tests, repair). */
    Txn() {}

    void undo(Runnable r) {
        undo.add(r);
    }

    void afterCommit(Runnable r) {
        onCommit.add(r);
    }

    synchronized void revert() {
        if (done) return;
        done = true;
        for (int i = undo.size() - 1; i >= 0; i--) undo.get(i).run();
    }

    synchronized void commit() {
        if (done) return;
        done = true;
        onCommit.forEach(Runnable::run);
    }
}
