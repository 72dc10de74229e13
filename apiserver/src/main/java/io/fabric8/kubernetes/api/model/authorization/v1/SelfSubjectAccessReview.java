package io.fabric8.kubernetes.api.model.authorization.v1;

import io.dualstack.apiserver.registry.ApiException;
import io.dualstack.apiserver.registry.ResourceCatalog;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * {@code authorization.k8s.io/v1 SelfSubjectAccessReview}. fabric8's {@code kubernetes-model-authorization}
 * is not in the offline repository, so this stands in for it, in the package that module uses: the
 * OpenAPI generator names fabric8-package classes as upstream does
 * ({@code io.k8s.api.authorization.v1.SelfSubjectAccessReview}). Delete this class if that module
 * is ever added (same name, same package). The spec ({@code resourceAttributes} or {@code nonResourceAttributes}) is kept as
 * given; the status is the server's answer. A dualstack cluster has one user with every right (as
 * a cluster-admin), so every review is {@code allowed: true} — what kube-apiserver answers a
 * {@code system:masters} user.
 */
@Group("authorization.k8s.io")
@Version("v1")
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"apiVersion", "kind", "metadata", "spec", "status"})
public final class SelfSubjectAccessReview implements HasMetadata {
    private String apiVersion = "authorization.k8s.io/v1";
    private String kind = "SelfSubjectAccessReview";
    private ObjectMeta metadata = new ObjectMeta();
    private JsonNode spec;
    private JsonNode status;

    @Override
    public ObjectMeta getMetadata() {
        return metadata;
    }

    @Override
    public void setMetadata(ObjectMeta metadata) {
        this.metadata = metadata;
    }

    @Override
    public String getApiVersion() {
        return apiVersion;
    }

    @Override
    public void setApiVersion(String apiVersion) {
        this.apiVersion = apiVersion;
    }

    @Override
    public String getKind() {
        return kind;
    }

    public void setKind(String kind) {
        this.kind = kind;
    }

    public JsonNode getSpec() {
        return spec;
    }

    public void setSpec(JsonNode spec) {
        this.spec = spec;
    }

    public JsonNode getStatus() {
        return status;
    }

    public void setStatus(JsonNode status) {
        this.status = status;
    }

    /**
     * The answer to a review request body: the request with {@code status.allowed: true}, or a 422
     * when the spec names neither resource nor non-resource attributes (upstream's validation).
     */
    public static ObjectNode answer(ObjectNode request) {
        ObjectNode out = request.deepCopy();
        out.put("apiVersion", "authorization.k8s.io/v1");
        out.put("kind", "SelfSubjectAccessReview");
        JsonNode spec = out.path("spec");
        boolean resource = spec.path("resourceAttributes").isObject();
        boolean nonResource = spec.path("nonResourceAttributes").isObject();
        if (resource == nonResource) {
            String detail = resource ? "cannot be specified in combination with resourceAttributes"
                    : "exactly one of nonResourceAttributes or resourceAttributes must be specified";
            throw ApiException.invalid(ResourceCatalog.SELFSUBJECTACCESSREVIEWS, "",
                    java.util.List.of(new io.fabric8.kubernetes.api.model.StatusCauseBuilder().withReason("FieldValueRequired")
                            .withField(resource ? "spec.nonResourceAttributes" : "spec.resourceAttributes")
                            .withMessage(detail).build()));
        }
        ObjectNode meta = out.with("metadata");
        meta.remove("resourceVersion");
        meta.remove("uid");
        if (!meta.has("creationTimestamp")) meta.putNull("creationTimestamp");
        ObjectNode status = JsonNodeFactory.instance.objectNode();
        status.put("allowed", true);
        out.set("status", status);
        return out;
    }
}
