package io.dualstack.apiserver.strategy;

import io.dualstack.apiserver.registry.AdmissionContext;
import io.dualstack.apiserver.registry.ResourceStrategy;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Deployments: apps/v1 defaulting, an empty status and {@code metadata.generation: 1} on create,
 * generation bumped when the spec changes, validation as upstream (selector must match the
 * template labels, selector immutable, rolling-update parameters).
 */
public final class DeploymentStrategy implements ResourceStrategy<Deployment> {

    @Override
    public void prepareForCreate(Deployment d, AdmissionContext ctx) {
        AppsDefaults.defaultDeployment(d);
        d.setStatus(new DeploymentStatus());
        d.getMetadata().setGeneration(1L);
    }

    @Override
    public List<StatusCause> validateCreate(Deployment d) {
        List<StatusCause> out = new ArrayList<>();
        Names.validateObjectName(d.getMetadata().getName(), out);
        out.addAll(AppsValidation.validateDeploymentSpec(d.getSpec()));
        return out;
    }

    @Override
    public void prepareForUpdate(Deployment newD, Deployment oldD, AdmissionContext ctx) {
        AppsDefaults.defaultDeployment(newD);
        if (newD.getStatus() == null) newD.setStatus(oldD.getStatus());
        long oldGen = oldD.getMetadata().getGeneration() == null ? 1L : oldD.getMetadata().getGeneration();
        boolean specChanged = !PodStrategy.JSON.valueToTree(newD.getSpec()).equals(PodStrategy.JSON.valueToTree(oldD.getSpec()));
        newD.getMetadata().setGeneration(specChanged ? oldGen + 1 : oldGen);
    }

    @Override
    public List<StatusCause> validateUpdate(Deployment newD, Deployment oldD) {
        List<StatusCause> out = validateCreate(newD);
        if (oldD.getSpec() != null && !Objects.equals(newD.getSpec().getSelector(), oldD.getSpec().getSelector())) {
            AppsValidation.selectorImmutable(newD.getSpec().getSelector(), oldD.getSpec().getSelector(), out);
        }
        return out;
    }
}
