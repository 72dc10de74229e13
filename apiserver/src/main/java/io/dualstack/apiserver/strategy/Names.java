package io.dualstack.apiserver.strategy;

import io.fabric8.kubernetes.api.model.StatusCause;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Upstream's name checks ({@code k8s.io/apimachinery/pkg/util/validation}) with their messages. */
final class Names {
    private Names() {}

    private static final String LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    private static final String SUBDOMAIN_FMT = LABEL_FMT + "(\\." + LABEL_FMT + ")*";
    private static final Pattern LABEL = Pattern.compile(LABEL_FMT);
    private static final Pattern SUBDOMAIN = Pattern.compile(SUBDOMAIN_FMT);

    static final String SUBDOMAIN_MSG = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
            + "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '"
            + SUBDOMAIN_FMT + "')";
    static final String LABEL_MSG = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
            + "and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '"
            + LABEL_FMT + "')";

    /** IsDNS1123Subdomain: the messages for a bad value, empty when valid. */
    static List<String> dns1123Subdomain(String value) {
        List<String> errs = new ArrayList<>();
        if (value.length() > 253) errs.add("must be no more than 253 characters");
        if (!SUBDOMAIN.matcher(value).matches()) errs.add(SUBDOMAIN_MSG);
        return errs;
    }

    /** IsDNS1123Label. */
    static List<String> dns1123Label(String value) {
        List<String> errs = new ArrayList<>();
        if (value.length() > 63) errs.add("must be no more than 63 characters");
        if (!LABEL.matcher(value).matches()) errs.add(LABEL_MSG);
        return errs;
    }

    /** metadata.name as a DNS-1123 subdomain (pods, deployments, replicasets); absent names are the registry's business. */
    static void validateObjectName(String name, List<StatusCause> out) {
        if (name == null || name.isEmpty()) return;
        for (String msg : dns1123Subdomain(name)) out.add(Causes.invalid("metadata.name", name, msg));
    }
}
