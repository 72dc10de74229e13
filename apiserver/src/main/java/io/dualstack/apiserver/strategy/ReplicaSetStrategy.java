package io.dualstack.apiserver.strategy;

import io.dualstack.apiserver.registry.AdmissionContext;
import io.dualstack.apiserver.registry.ResourceStrategy;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatus;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** ReplicaSets: apps/v1 defaulting, status {@code replicas: 0} and generation 1 on create, validation as upstream. */
public final class ReplicaSetStrategy implements ResourceStrategy<ReplicaSet> {

    @Override
    public void prepareForCreate(ReplicaSet rs, AdmissionContext ctx) {
        AppsDefaults.defaultReplicaSet(rs);
        ReplicaSetStatus status = new ReplicaSetStatus();
        status.setReplicas(0);
        rs.setStatus(status);
        rs.getMetadata().setGeneration(1L);
    }

    @Override
    public List<StatusCause> validateCreate(ReplicaSet rs) {
        List<StatusCause> out = new ArrayList<>();
        Names.validateObjectName(rs.getMetadata().getName(), out);
        out.addAll(AppsValidation.validateReplicaSetSpec(rs.getSpec()));
        return out;
    }

    @Override
    public void prepareForUpdate(ReplicaSet newRs, ReplicaSet oldRs, AdmissionContext ctx) {
        AppsDefaults.defaultReplicaSet(newRs);
        if (newRs.getStatus() == null) newRs.setStatus(oldRs.getStatus());
        long oldGen = oldRs.getMetadata().getGeneration() == null ? 1L : oldRs.getMetadata().getGeneration();
        boolean specChanged = !PodStrategy.JSON.valueToTree(newRs.getSpec()).equals(PodStrategy.JSON.valueToTree(oldRs.getSpec()));
        newRs.getMetadata().setGeneration(specChanged ? oldGen + 1 : oldGen);
    }

    @Override
    public List<StatusCause> validateUpdate(ReplicaSet newRs, ReplicaSet oldRs) {
        List<StatusCause> out = validateCreate(newRs);
        if (oldRs.getSpec() != null && !Objects.equals(newRs.getSpec().getSelector(), oldRs.getSpec().getSelector())) {
            AppsValidation.selectorImmutable(newRs.getSpec().getSelector(), oldRs.getSpec().getSelector(), out);
        }
        return out;
    }
}
