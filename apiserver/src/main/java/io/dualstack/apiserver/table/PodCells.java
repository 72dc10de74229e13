package io.dualstack.apiserver.table;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static io.dualstack.apiserver.table.TableConvertor.NONE;
import static io.dualstack.apiserver.table.TableConvertor.integer;
import static io.dualstack.apiserver.table.TableConvertor.text;

/**
 * A pod's row as upstream's {@code printPod}: READY counts ready containers (plus started sidecar
 * init containers) over containers; STATUS is the phase, overridden by the pod reason, a failing
 * or waiting init container ({@code Init:…}), then the last container's waiting/terminated reason,
 * {@code Terminating} while deleted; RESTARTS adds {@code (AGE ago)} of the last termination.
 */
final class PodCells {
    private PodCells() {}

    static List<Object> cells(JsonNode pod, Instant now) {
        JsonNode spec = pod.path("spec");
        JsonNode status = pod.path("status");
        String phase = text(status.path("phase"));
        String reason = text(status.path("reason")).isEmpty() ? phase : text(status.path("reason"));
        for (JsonNode c : status.path("conditions")) {
            if (text(c.path("type")).equals("PodScheduled") && text(c.path("reason")).equals("SchedulingGated")) {
                reason = "SchedulingGated";
            }
        }
        int total = spec.path("containers").size();
        Set<String> sidecars = new HashSet<>();
        for (JsonNode ic : spec.path("initContainers")) {
            if (text(ic.path("restartPolicy")).equals("Always")) {
                sidecars.add(text(ic.path("name")));
                total++;
            }
        }
        int ready = 0;
        int restarts = 0;
        int sidecarRestarts = 0;
        Optional<Instant> lastRestart = Optional.empty();
        Optional<Instant> lastSidecarRestart = Optional.empty();
        boolean initializing = false;
        int initCount = spec.path("initContainers").size();
        JsonNode initStatuses = status.path("initContainerStatuses");
        for (int i = 0; i < initStatuses.size(); i++) {
            JsonNode cs = initStatuses.get(i);
            boolean sidecar = sidecars.contains(text(cs.path("name")));
            restarts += integer(cs.path("restartCount"));
            Optional<Instant> finished = lastFinished(cs);
            lastRestart = later(lastRestart, finished);
            if (sidecar) {
                sidecarRestarts += integer(cs.path("restartCount"));
                lastSidecarRestart = later(lastSidecarRestart, finished);
            }
            JsonNode terminated = cs.path("state").path("terminated");
            JsonNode waiting = cs.path("state").path("waiting");
            if (terminated.isObject() && integer(terminated.path("exitCode")) == 0) {
                continue;
            }
            if (sidecar && cs.path("started").asBoolean(false)) {
                if (cs.path("ready").asBoolean(false)) {
                    ready++;
                }
                continue;
            }
            if (terminated.isObject()) {
                if (text(terminated.path("reason")).isEmpty()) {
                    reason = integer(terminated.path("signal")) != 0
                            ? "Init:Signal:" + integer(terminated.path("signal"))
                            : "Init:ExitCode:" + integer(terminated.path("exitCode"));
                } else {
                    reason = "Init:" + text(terminated.path("reason"));
                }
            } else if (waiting.isObject() && !text(waiting.path("reason")).isEmpty()
                    && !text(waiting.path("reason")).equals("PodInitializing")) {
                reason = "Init:" + text(waiting.path("reason"));
            } else {
                reason = "Init:" + i + "/" + initCount;
            }
            initializing = true;
            break;
        }
        if (!initializing || conditionTrue(status, "Initialized")) {
            restarts = sidecarRestarts;
            lastRestart = lastSidecarRestart;
            boolean hasRunning = false;
            JsonNode statuses = status.path("containerStatuses");
            for (int i = statuses.size() - 1; i >= 0; i--) {
                JsonNode cs = statuses.get(i);
                restarts += integer(cs.path("restartCount"));
                lastRestart = later(lastRestart, lastFinished(cs));
                JsonNode waiting = cs.path("state").path("waiting");
                JsonNode terminated = cs.path("state").path("terminated");
                if (waiting.isObject() && !text(waiting.path("reason")).isEmpty()) {
                    reason = text(waiting.path("reason"));
                } else if (terminated.isObject() && !text(terminated.path("reason")).isEmpty()) {
                    reason = text(terminated.path("reason"));
                } else if (terminated.isObject()) {
                    reason = integer(terminated.path("signal")) != 0
                            ? "Signal:" + integer(terminated.path("signal"))
                            : "ExitCode:" + integer(terminated.path("exitCode"));
                } else if (cs.path("ready").asBoolean(false) && cs.path("state").path("running").isObject()) {
                    hasRunning = true;
                    ready++;
                }
            }
            if (reason.equals("Completed") && hasRunning) {
                reason = conditionTrue(status, "Ready") ? "Running" : "NotReady";
            }
        }
        boolean deleting = pod.path("metadata").hasNonNull("deletionTimestamp");
        if (deleting && text(status.path("reason")).equals("NodeLost")) {
            reason = "Unknown";
        } else if (deleting && !phase.equals("Succeeded") && !phase.equals("Failed")) {
            reason = "Terminating";
        }

        String restartsCell = String.valueOf(restarts);
        if (restarts != 0 && lastRestart.isPresent()) {
            restartsCell = restarts + " (" + HumanDuration.format(java.time.Duration.between(lastRestart.get(), now)) + " ago)";
        }
        String ip = status.path("podIPs").isArray() && !status.path("podIPs").isEmpty()
                ? text(status.path("podIPs").get(0).path("ip")) : "";
        String node = text(spec.path("nodeName"));
        String nominated = text(status.path("nominatedNodeName"));
        String gates = NONE;
        JsonNode readinessGates = spec.path("readinessGates");
        if (readinessGates.isArray() && !readinessGates.isEmpty()) {
            int trueGates = 0;
            for (JsonNode g : readinessGates) {
                for (JsonNode c : status.path("conditions")) {
                    if (text(c.path("type")).equals(text(g.path("conditionType")))) {
                        if (text(c.path("status")).equals("True")) {
                            trueGates++;
                        }
                        break;
                    }
                }
            }
            gates = trueGates + "/" + readinessGates.size();
        }
        return List.of(text(pod.path("metadata").path("name")), ready + "/" + total, reason, restartsCell,
                HumanDuration.since(text(pod.path("metadata").path("creationTimestamp")), now),
                ip.isEmpty() ? NONE : ip, node.isEmpty() ? NONE : node, nominated.isEmpty() ? NONE : nominated, gates);
    }

    private static boolean conditionTrue(JsonNode status, String type) {
        for (JsonNode c : status.path("conditions")) {
            if (text(c.path("type")).equals(type)) {
                return text(c.path("status")).equals("True");
            }
        }
        return false;
    }

    private static Optional<Instant> lastFinished(JsonNode containerStatus) {
        JsonNode t = containerStatus.path("lastState").path("terminated");
        return t.isObject() ? HumanDuration.parse(text(t.path("finishedAt"))) : Optional.empty();
    }

    private static Optional<Instant> later(Optional<Instant> a, Optional<Instant> b) {
        if (a.isEmpty()) {
            return b;
        }
        if (b.isEmpty()) {
            return a;
        }
        return a.get().isAfter(b.get()) ? a : b;
    }
}
