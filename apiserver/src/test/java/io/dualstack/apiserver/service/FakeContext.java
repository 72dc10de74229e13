package io.dualstack.apiserver.service;

import io.dualstack.apiserver.registry.AdmissionContext;
import io.dualstack.apiserver.registry.ResourceType;
import io.fabric8.kubernetes.api.model.HasMetadata;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** One admission's context over a {@link MemStore}: staged writes apply on {@link #commit()}. */
final class FakeContext implements AdmissionContext {
    record Staged(String op, ResourceType type, String namespace, String name, HasMetadata obj) {}

    private final MemStore store;
    private final boolean dryRun;
    final List<Staged> staged = new ArrayList<>();
    private final List<Runnable> commits = new ArrayList<>();
    private final List<Runnable> aborts = new ArrayList<>();

    FakeContext(MemStore store, boolean dryRun) {
        this.store = store;
        this.dryRun = dryRun;
    }

    @Override
    public boolean dryRun() {
        return dryRun;
    }

    @Override
    public <R extends HasMetadata> Optional<R> get(ResourceType type, String namespace, String name) {
        return store.get(type, namespace, name);
    }

    @Override
    public <R extends HasMetadata> List<R> list(ResourceType type, String namespace) {
        return store.list(type, namespace);
    }

    @Override
    public void stageCreate(ResourceType type, HasMetadata obj) {
        staged.add(new Staged("create", type, obj.getMetadata().getNamespace(), obj.getMetadata().getName(), obj));
    }

    @Override
    public void stageUpdate(ResourceType type, HasMetadata obj) {
        staged.add(new Staged("update", type, obj.getMetadata().getNamespace(), obj.getMetadata().getName(), obj));
    }

    @Override
    public void stageDelete(ResourceType type, String namespace, String name) {
        staged.add(new Staged("delete", type, namespace, name, null));
    }

    @Override
    public void onCommit(Runnable action) {
        commits.add(action);
    }

    @Override
    public void onAbort(Runnable action) {
        aborts.add(action);
    }

    /** Applies staged writes (the caller has stored the main object) and runs commit actions. */
    void commit() {
        for (Staged s : staged) {
            switch (s.op()) {
                case "create", "update" -> store.put(s.type(), s.obj());
                default -> store.remove(s.type(), s.namespace(), s.name());
            }
        }
        commits.forEach(Runnable::run);
    }

    void abort() {
        aborts.forEach(Runnable::run);
    }
}
