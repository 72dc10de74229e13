package io.dualstack.apiserver.storage;

import java.nio.file.Path;

class MemoryStoreTest extends StoreContractTest {
    @Override
    Store open(Path dir, StoreOptions options) {
        return new MemoryStore(options);
    }
}
