package io.dualstack.apiserver.registry;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.StatusCause;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A failed API request, carrying the {@code Status} the client receives. Factories follow
 * upstream's {@code k8s.io/apimachinery/pkg/api/errors} messages exactly.
 */
public class ApiException extends RuntimeException {
    private final transient Status status;

    public ApiException(Status status) {
        super(status.getMessage());
        this.status = status;
    }

    public Status status() {
        return status;
    }

    public int code() {
        return status.getCode();
    }

    private static ApiException of(int code, String reason, String message, String kind, String name, String group, List<StatusCause> causes) {
        StatusBuilder b = new StatusBuilder().withStatus("Failure").withMessage(message).withReason(reason).withCode(code)
                .withNewMetadata().endMetadata();
        if (kind != null || name != null || (causes != null && !causes.isEmpty())) {
            b.withNewDetails().withName(name).withGroup(group == null || group.isEmpty() ? null : group).withKind(kind)
                    .withCauses(causes == null || causes.isEmpty() ? null : causes).endDetails();
        }
        return new ApiException(b.build());
    }

    /** 404: {@code services "web" not found} (qualifiedPlural is e.g. {@code deployments.apps}). */
    public static ApiException notFound(ResourceType type, String name) {
        return of(404, "NotFound", type.qualifiedPlural() + " \"" + name + "\" not found", type.plural(), name, type.group(), null);
    }

    /** 409: {@code services "web" already exists}. */
    public static ApiException alreadyExists(ResourceType type, String name) {
        return of(409, "AlreadyExists", type.qualifiedPlural() + " \"" + name + "\" already exists", type.plural(), name, type.group(), null);
    }

    /** 409: {@code Operation cannot be fulfilled on services "web": <detail>}. */
    public static ApiException conflict(ResourceType type, String name, String detail) {
        return of(409, "Conflict", "Operation cannot be fulfilled on " + type.qualifiedPlural() + " \"" + name + "\": " + detail,
                type.plural(), name, type.group(), null);
    }

    /**
     * 422: {@code Service "web" is invalid: ...} ({@code Deployment.apps "web" is invalid: ...} outside the core group); the
     * message joins every cause as upstream's {@code field.ErrorList.ToAggregate()} does.
     */
    public static ApiException invalid(ResourceType type, String name, List<StatusCause> causes) {
        String joined = causes.stream().map(ApiException::causeText).collect(Collectors.joining(", "));
        String qualifiedKind = type.group().isEmpty() ? type.kind() : type.kind() + "." + type.group(); // GroupKind.String()
        String msg = qualifiedKind + " \"" + name + "\" is invalid: " + (causes.size() > 1 ? "[" + joined + "]" : joined);
        return of(422, "Invalid", msg, type.kind(), name, type.group(), causes);
    }

    public static ApiException badRequest(String message) {
        return of(400, "BadRequest", message, null, null, null, null);
    }

    public static ApiException methodNotAllowed(String message) {
        return of(405, "MethodNotAllowed", message, null, null, null, null);
    }

    public static ApiException gone(String message) {
        return of(410, "Expired", message, null, null, null, null);
    }

    public static ApiException internal(String message) {
        return of(500, "InternalError", "Internal error occurred: " + message, null, null, null, null);
    }

    /** {@code field: Reason-text: detail}, as a field.Error prints (the message part of a cause). */
    public static String causeText(StatusCause c) {
        return (c.getField() == null || c.getField().isEmpty() ? "" : c.getField() + ": ") + c.getMessage();
    }
}
