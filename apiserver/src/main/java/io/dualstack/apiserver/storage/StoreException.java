package io.dualstack.apiserver.storage;

/** A store failure that is not the caller's fault: I/O error, database locked by another process. */
public class StoreException extends RuntimeException {
    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
