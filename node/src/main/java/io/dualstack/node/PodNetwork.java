package io.dualstack.node;

import inet.ipaddr.IPAddress;

import java.util.List;
import java.util.Optional;

/**
 * A node's pod network: what kindnet's CNI (ptp + host-local) does for one node. The agent calls
 * {@link #setUp} for every pod bound to the node before it reports the pod Running, and
 * {@link #tearDown} when the pod is deleted. This implementation
 * ({@link AllocatingPodNetwork}) only allocates addresses; the network-namespace data plane
 * implements the same interface and adds sandboxes, veths and routes.
 */
public interface PodNetwork extends AutoCloseable {

    /**
     * Gives the pod one address per family of the node's podCIDRs, primary first. Idempotent: a
     * pod already set up gets the same addresses back.
     *
     * @throws PodNetworkException when a family's range is exhausted (or the sandbox fails);
     *                             nothing stays allocated for the pod then
     */
    PodAddresses setUp(PodRef pod) throws PodNetworkException;

    /** Releases everything the pod holds; a pod not set up is a no-op. */
    void tearDown(PodRef pod);

    /**
     * Re-adopts a pod that already has addresses (agent restart): the addresses become in use
     * again. False when they do not fit this node's ranges or are held by another pod.
     */
    boolean restore(PodRef pod, List<IPAddress> addresses);

    /** The addresses the pod holds, if it is set up. */
    Optional<PodAddresses> addressesOf(PodRef pod);

    @Override
    default void close() {}

    /** Makes the pod network of one node once its podCIDRs are known. */
    @FunctionalInterface
    interface Factory {
        PodNetwork forNode(String nodeName, List<IPAddress> podCidrs);
    }
}
