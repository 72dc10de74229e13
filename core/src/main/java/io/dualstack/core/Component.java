package io.dualstack.core;

/**
 * A long-running part of a cluster (API server, controller manager, node agents, DNS server).
 * {@link #start()} returns once the component is serving; {@link #close()} stops it and releases
 * everything it holds. Components talk to each other only through the Kubernetes API.
 */
public interface Component extends AutoCloseable {
    String name();

    void start() throws Exception;

    @Override
    void close() throws Exception;
}
