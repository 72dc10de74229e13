package io.dualstack.apiserver.strategy;

import io.dualstack.apiserver.registry.ApiException;
import io.dualstack.apiserver.registry.ResourceCatalog;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

class WorkloadStrategiesTest {

    static Pod pod() {
        return new PodBuilder().withNewMetadata().withName("web").withNamespace("default").endMetadata()
                .withNewSpec().addNewContainer().withName("nginx").withImage("nginx:1.27-alpine")
                .addNewPort().withContainerPort(80).endPort().endContainer().endSpec().build();
    }

    static Deployment deployment() {
        return new DeploymentBuilder().withNewMetadata().withName("web-dual").withNamespace("default").endMetadata()
                .withNewSpec().withReplicas(2).withNewSelector().addToMatchLabels("app", "web-dual").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "web-dual").endMetadata()
                .withNewSpec().addNewContainer().withName("nginx").withImage("nginx:1.27-alpine")
                .addNewPort().withContainerPort(80).endPort().endContainer().endSpec().endTemplate().endSpec().build();
    }

    static ReplicaSet replicaSet() {
        Deployment d = deployment();
        return new ReplicaSetBuilder().withNewMetadata().withName("web-rs").withNamespace("default").endMetadata()
                .withNewSpec().withSelector(d.getSpec().getSelector()).withTemplate(d.getSpec().getTemplate()).endSpec().build();
    }

    static Pod createdPod(Consumer<Pod> edit) {
        Pod p = pod();
        edit.accept(p);
        new PodStrategy().prepareForCreate(p, null);
        return p;
    }

    // ---- pod defaulting (pkg/apis/core/v1/defaults.go + create-time admission) ----

    static Stream<Arguments> podDefaults() {
        return Stream.of(
                argumentSet("restartPolicy defaults to Always", (Consumer<Pod>) p -> {}, (Consumer<Pod>) p ->
                        assertThat(p.getSpec().getRestartPolicy()).isEqualTo("Always")),
                argumentSet("dnsPolicy defaults to ClusterFirst", (Consumer<Pod>) p -> {}, (Consumer<Pod>) p ->
                        assertThat(p.getSpec().getDnsPolicy()).isEqualTo("ClusterFirst")),
                argumentSet("terminationGracePeriodSeconds defaults to 30", (Consumer<Pod>) p -> {}, (Consumer<Pod>) p ->
                        assertThat(p.getSpec().getTerminationGracePeriodSeconds()).isEqualTo(30L)),
                argumentSet("schedulerName defaults to default-scheduler", (Consumer<Pod>) p -> {}, (Consumer<Pod>) p ->
                        assertThat(p.getSpec().getSchedulerName()).isEqualTo("default-scheduler")),
                argumentSet("container terminationMessagePath and Policy", (Consumer<Pod>) p -> {}, (Consumer<Pod>) p -> {
                    assertThat(p.getSpec().getContainers().get(0).getTerminationMessagePath()).isEqualTo("/dev/termination-log");
                    assertThat(p.getSpec().getContainers().get(0).getTerminationMessagePolicy()).isEqualTo("File");
                }),
                argumentSet("port protocol defaults to TCP", (Consumer<Pod>) p -> {}, (Consumer<Pod>) p ->
                        assertThat(p.getSpec().getContainers().get(0).getPorts().get(0).getProtocol()).isEqualTo("TCP")),
                argumentSet("explicit restartPolicy kept", (Consumer<Pod>) p -> p.getSpec().setRestartPolicy("Never"), (Consumer<Pod>) p ->
                        assertThat(p.getSpec().getRestartPolicy()).isEqualTo("Never")),
                argumentSet("explicit grace period kept", (Consumer<Pod>) p -> p.getSpec().setTerminationGracePeriodSeconds(5L), (Consumer<Pod>) p ->
                        assertThat(p.getSpec().getTerminationGracePeriodSeconds()).isEqualTo(5L)),
                argumentSet("status.phase Pending on create", (Consumer<Pod>) p -> {}, (Consumer<Pod>) p ->
                        assertThat(p.getStatus().getPhase()).isEqualTo("Pending")),
                argumentSet("client-supplied status is dropped on create", (Consumer<Pod>) p -> p.setStatus(
                        new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Running").withPodIP("10.0.0.1").build()), (Consumer<Pod>) p -> {
                    assertThat(p.getStatus().getPhase()).isEqualTo("Pending");
                    assertThat(p.getStatus().getPodIP()).isNull();
                }),
                argumentSet("qosClass BestEffort without resources", (Consumer<Pod>) p -> {}, (Consumer<Pod>) p ->
                        assertThat(p.getStatus().getQosClass()).isEqualTo("BestEffort")),
                argumentSet("qosClass Guaranteed with limits only (requests default to limits)", (Consumer<Pod>) p ->
                        p.getSpec().getContainers().get(0).setResources(new io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder()
                                .withLimits(Map.of("cpu", new Quantity("100m"), "memory", new Quantity("64Mi"))).build()), (Consumer<Pod>) p -> {
                    assertThat(p.getStatus().getQosClass()).isEqualTo("Guaranteed");
                    assertThat(p.getSpec().getContainers().get(0).getResources().getRequests()).containsKeys("cpu", "memory");
                }),
                argumentSet("qosClass Burstable with requests only", (Consumer<Pod>) p ->
                        p.getSpec().getContainers().get(0).setResources(new io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder()
                                .withRequests(Map.of("cpu", new Quantity("100m"))).build()), (Consumer<Pod>) p ->
                        assertThat(p.getStatus().getQosClass()).isEqualTo("Burstable")),
                argumentSet("DefaultTolerationSeconds adds not-ready and unreachable for 300s", (Consumer<Pod>) p -> {}, (Consumer<Pod>) p ->
                        assertThat(p.getSpec().getTolerations()).extracting(t -> t.getKey() + ":" + t.getEffect() + ":" + t.getTolerationSeconds())
                                .containsExactly("node.kubernetes.io/not-ready:NoExecute:300", "node.kubernetes.io/unreachable:NoExecute:300")),
                argumentSet("ServiceAccount admission sets default", (Consumer<Pod>) p -> {}, (Consumer<Pod>) p ->
                        assertThat(p.getSpec().getServiceAccountName()).isEqualTo("default")),
                argumentSet("enableServiceLinks defaults to true", (Consumer<Pod>) p -> {}, (Consumer<Pod>) p ->
                        assertThat(p.getSpec().getEnableServiceLinks()).isTrue()));
    }

    @ParameterizedTest
    @MethodSource
    void podDefaults(Consumer<Pod> edit, Consumer<Pod> check) {
        check.accept(createdPod(edit));
    }

    static Stream<Arguments> imagePullPolicy() {
        return Stream.of(
                argumentSet("no tag means latest: Always", "nginx", "Always"),
                argumentSet("tag latest: Always", "nginx:latest", "Always"),
                argumentSet("explicit tag: IfNotPresent", "nginx:1.27-alpine", "IfNotPresent"),
                argumentSet("registry with port, no tag: Always", "localhost:5000/nginx", "Always"),
                argumentSet("registry with port and tag: IfNotPresent", "localhost:5000/nginx:1.0", "IfNotPresent"),
                argumentSet("digest: IfNotPresent", "nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "IfNotPresent"));
    }

    @ParameterizedTest
    @MethodSource
    void imagePullPolicy(String image, String expected) {
        Pod p = createdPod(x -> x.getSpec().getContainers().get(0).setImage(image));
        assertThat(p.getSpec().getContainers().get(0).getImagePullPolicy()).isEqualTo(expected);
    }

    @Test
    void defaultingTwiceChangesNothing() {
        Pod once = createdPod(p -> {});
        Pod twice = createdPod(p -> {});
        PodDefaults.defaultPod(twice);
        assertThat(twice).isEqualTo(once);
    }

    // ---- deployment defaulting (pkg/apis/apps/v1/defaults.go) ----

    @Test
    void deploymentDefaults() {
        Deployment d = deployment();
        d.getSpec().setReplicas(null);
        new DeploymentStrategy().prepareForCreate(d, null);
        assertThat(d.getSpec().getReplicas()).isEqualTo(1);
        assertThat(d.getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
        assertThat(d.getSpec().getStrategy().getRollingUpdate().getMaxSurge()).isEqualTo(new IntOrString("25%"));
        assertThat(d.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable()).isEqualTo(new IntOrString("25%"));
        assertThat(d.getSpec().getRevisionHistoryLimit()).isEqualTo(10);
        assertThat(d.getSpec().getProgressDeadlineSeconds()).isEqualTo(600);
        assertThat(d.getSpec().getTemplate().getSpec().getRestartPolicy()).isEqualTo("Always");
        assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getImagePullPolicy()).isEqualTo("IfNotPresent");
        // Templates get spec defaults but not the pod-only admission defaults.
        assertThat(d.getSpec().getTemplate().getSpec().getTolerations()).isNullOrEmpty();
        assertThat(d.getMetadata().getGeneration()).isEqualTo(1L);
    }

    @Test
    void recreateStrategyGetsNoRollingUpdateDefaults() {
        Deployment d = deployment();
        d.getSpec().setStrategy(new io.fabric8.kubernetes.api.model.apps.DeploymentStrategyBuilder().withType("Recreate").build());
        new DeploymentStrategy().prepareForCreate(d, null);
        assertThat(d.getSpec().getStrategy().getRollingUpdate()).isNull();
        assertThat(new DeploymentStrategy().validateCreate(d)).isEmpty();
    }

    @Test
    void generationBumpsOnlyOnSpecChange() {
        DeploymentStrategy s = new DeploymentStrategy();
        Deployment old = deployment();
        s.prepareForCreate(old, null);
        Deployment same = deployment();
        s.prepareForUpdate(same, old, null);
        assertThat(same.getMetadata().getGeneration()).isEqualTo(1L);
        Deployment scaled = deployment();
        scaled.getSpec().setReplicas(5);
        s.prepareForUpdate(scaled, old, null);
        assertThat(scaled.getMetadata().getGeneration()).isEqualTo(2L);
    }

    @Test
    void replicaSetDefaults() {
        ReplicaSet rs = replicaSet();
        new ReplicaSetStrategy().prepareForCreate(rs, null);
        assertThat(rs.getSpec().getReplicas()).isEqualTo(1);
        assertThat(rs.getStatus().getReplicas()).isZero();
    }

    // ---- validation (pkg/apis/core/validation, pkg/apis/apps/validation) ----

    static Stream<Arguments> deploymentValidation() {
        return Stream.of(
                argumentSet("selector must match template labels", (Consumer<Deployment>) d ->
                                d.getSpec().getTemplate().getMetadata().setLabels(Map.of("app", "other")),
                        List.of("spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"other\"}: `selector` does not match template `labels`")),
                argumentSet("selector is required", (Consumer<Deployment>) d -> d.getSpec().setSelector(null),
                        List.of("spec.selector: Required value")),
                argumentSet("empty selector is invalid", (Consumer<Deployment>) d -> d.getSpec().getSelector().setMatchLabels(Map.of()),
                        List.of("spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment")),
                argumentSet("containers are required", (Consumer<Deployment>) d -> d.getSpec().getTemplate().getSpec().setContainers(List.of()),
                        List.of("spec.template.spec.containers: Required value")),
                argumentSet("negative replicas", (Consumer<Deployment>) d -> d.getSpec().setReplicas(-1),
                        List.of("spec.replicas: Invalid value: -1: must be greater than or equal to 0")),
                argumentSet("template restartPolicy must be Always", (Consumer<Deployment>) d -> d.getSpec().getTemplate().getSpec().setRestartPolicy("Never"),
                        List.of("spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: \"Always\"")),
                argumentSet("maxSurge and maxUnavailable both zero", (Consumer<Deployment>) d -> d.getSpec().setStrategy(
                                new io.fabric8.kubernetes.api.model.apps.DeploymentStrategyBuilder().withType("RollingUpdate").withNewRollingUpdate()
                                        .withMaxSurge(new IntOrString(0)).withMaxUnavailable(new IntOrString("0%")).endRollingUpdate().build()),
                        List.of("spec.strategy.rollingUpdate.maxUnavailable: Invalid value: \"0%\": may not be 0 when `maxSurge` is 0")),
                argumentSet("unknown strategy type", (Consumer<Deployment>) d -> d.getSpec().setStrategy(
                                new io.fabric8.kubernetes.api.model.apps.DeploymentStrategyBuilder().withType("BlueGreen").build()),
                        List.of("spec.strategy.type: Unsupported value: \"BlueGreen\": supported values: \"Recreate\", \"RollingUpdate\"")),
                argumentSet("invalid name", (Consumer<Deployment>) d -> d.getMetadata().setName("Web_Dual"),
                        List.of("metadata.name: Invalid value: \"Web_Dual\": " + Names.SUBDOMAIN_MSG)),
                argumentSet("missing image", (Consumer<Deployment>) d -> d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage(null),
                        List.of("spec.template.spec.containers[0].image: Required value")),
                argumentSet("template label value must be a valid label value", (Consumer<Deployment>) d -> {
                            d.getSpec().getTemplate().getMetadata().setLabels(Map.of("app", "web-dual", "tier", "front end"));
                        },
                        List.of("spec.template.metadata.labels: Invalid value: \"front end\": a valid label must be an empty string or consist of "
                                + "alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
                                + "'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")),
                argumentSet("valid deployment", (Consumer<Deployment>) d -> {}, List.of()));
    }

    @ParameterizedTest
    @MethodSource
    void deploymentValidation(Consumer<Deployment> edit, List<String> expected) {
        Deployment d = deployment();
        edit.accept(d);
        DeploymentStrategy s = new DeploymentStrategy();
        s.prepareForCreate(d, null);
        assertThat(s.validateCreate(d)).extracting(ApiException::causeText).containsExactlyElementsOf(expected);
    }

    static Stream<Arguments> podValidation() {
        return Stream.of(
                argumentSet("containers are required", (Consumer<Pod>) p -> p.getSpec().setContainers(List.of()),
                        List.of("spec.containers: Required value")),
                argumentSet("container name required", (Consumer<Pod>) p -> p.getSpec().getContainers().get(0).setName(null),
                        List.of("spec.containers[0].name: Required value")),
                argumentSet("container name must be a DNS-1123 label", (Consumer<Pod>) p -> p.getSpec().getContainers().get(0).setName("Nginx"),
                        List.of("spec.containers[0].name: Invalid value: \"Nginx\": " + Names.LABEL_MSG)),
                argumentSet("duplicate container names", (Consumer<Pod>) p -> {
                    Container c = new io.fabric8.kubernetes.api.model.ContainerBuilder().withName("nginx").withImage("busybox").build();
                    p.getSpec().setContainers(List.of(p.getSpec().getContainers().get(0), c));
                }, List.of("spec.containers[1].name: Duplicate value: \"nginx\"")),
                argumentSet("containerPort out of range", (Consumer<Pod>) p -> p.getSpec().getContainers().get(0).getPorts().get(0).setContainerPort(70000),
                        List.of("spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive")),
                argumentSet("unsupported protocol", (Consumer<Pod>) p -> p.getSpec().getContainers().get(0).getPorts().get(0).setProtocol("ICMP"),
                        List.of("spec.containers[0].ports[0].protocol: Unsupported value: \"ICMP\": supported values: \"SCTP\", \"TCP\", \"UDP\"")),
                argumentSet("invalid pod name", (Consumer<Pod>) p -> p.getMetadata().setName("-web"),
                        List.of("metadata.name: Invalid value: \"-web\": " + Names.SUBDOMAIN_MSG)),
                argumentSet("valid pod", (Consumer<Pod>) p -> {}, List.of()));
    }

    @ParameterizedTest
    @MethodSource
    void podValidation(Consumer<Pod> edit, List<String> expected) {
        Pod p = createdPod(edit);
        assertThat(new PodStrategy().validateCreate(p)).extracting(ApiException::causeText).containsExactlyElementsOf(expected);
    }

    static Stream<Arguments> podUpdate() {
        return Stream.of(
                argumentSet("image change allowed", (Consumer<Pod>) p -> p.getSpec().getContainers().get(0).setImage("nginx:1.28"), true),
                argumentSet("binding: nodeName set once allowed", (Consumer<Pod>) p -> p.getSpec().setNodeName("worker"), true),
                argumentSet("status-only change allowed", (Consumer<Pod>) p -> p.getStatus().setPhase("Running"), true),
                argumentSet("port change forbidden", (Consumer<Pod>) p -> p.getSpec().getContainers().get(0).getPorts().get(0).setContainerPort(8080), false),
                argumentSet("restartPolicy change forbidden", (Consumer<Pod>) p -> p.getSpec().setRestartPolicy("Never"), false));
    }

    @ParameterizedTest
    @MethodSource
    void podUpdate(Consumer<Pod> edit, boolean allowed) {
        Pod old = createdPod(p -> {});
        Pod updated = createdPod(p -> {});
        edit.accept(updated);
        PodStrategy s = new PodStrategy();
        s.prepareForUpdate(updated, old, null);
        List<StatusCause> causes = s.validateUpdate(updated, old);
        if (allowed) assertThat(causes).isEmpty();
        else assertThat(causes).extracting(ApiException::causeText).containsExactly("spec: Forbidden: " + PodStrategy.UPDATE_FORBIDDEN);
    }

    @Test
    void deploymentSelectorIsImmutable() {
        DeploymentStrategy s = new DeploymentStrategy();
        Deployment old = deployment();
        s.prepareForCreate(old, null);
        Deployment updated = deployment();
        updated.getSpec().getSelector().setMatchLabels(Map.of("app", "web-dual", "tier", "web"));
        updated.getSpec().getTemplate().getMetadata().setLabels(Map.of("app", "web-dual", "tier", "web"));
        s.prepareForUpdate(updated, old, null);
        assertThat(s.validateUpdate(updated, old)).extracting(ApiException::causeText).containsExactly(
                "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"web-dual\", \"tier\":\"web\"}, "
                        + "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable");
    }

    @Test
    void replicaSetSelectorMismatch() {
        ReplicaSet rs = replicaSet();
        rs.getSpec().getTemplate().getMetadata().setLabels(Map.of("app", "x"));
        ReplicaSetStrategy s = new ReplicaSetStrategy();
        s.prepareForCreate(rs, null);
        assertThat(s.validateCreate(rs)).extracting(ApiException::causeText).containsExactly(
                "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"x\"}: `selector` does not match template `labels`");
    }

    @Test
    void allCoversPodsDeploymentsReplicaSets() {
        assertThat(WorkloadStrategies.all()).containsOnlyKeys(ResourceCatalog.PODS, ResourceCatalog.DEPLOYMENTS, ResourceCatalog.REPLICASETS);
    }
}
