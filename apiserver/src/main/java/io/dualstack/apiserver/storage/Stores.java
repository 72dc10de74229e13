package io.dualstack.apiserver.storage;

import java.nio.file.Path;

/** Factories for the {@link Store} implementations. */
public final class Stores {
    private Stores() {}

    /** The durable store of a cluster: SQLite at {@code stateDir/state.db}, with default options. */
    public static Store open(Path stateDir) {
        return open(stateDir, StoreOptions.defaults());
    }

    public static Store open(Path stateDir, StoreOptions options) {
        return SqliteStore.open(stateDir.resolve("state.db"), options);
    }

    /** A non-durable in-memory store (tests, benchmarks' baseline). */
    public static Store memory() {
        return new MemoryStore();
    }
}
