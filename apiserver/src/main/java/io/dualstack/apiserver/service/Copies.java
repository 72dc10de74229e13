package io.dualstack.apiserver.service;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServiceStatus;
import io.fabric8.kubernetes.api.model.ServiceStatusBuilder;

/** Deep copies through the fabric8 builders (they copy nested objects and lists). */
final class Copies {
    private Copies() {}

    static Service service(Service s) {
        return new ServiceBuilder(s).build();
    }

    static ServiceStatus status(ServiceStatus s) {
        return new ServiceStatusBuilder(s).build();
    }
}
