package io.dualstack.core.plan;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads plan inputs (files, each one format or a multi-document YAML; plus upstream flags) into one
 * {@link ClusterPlan} and checks it. This is the entry point {@code plan check}, {@code plan render}
 * and {@code up} call.
 */
public final class PlanLoader {
    private PlanLoader() {
    }

    /** What reading inputs gives: a plan with findings, or an input error (exit 2). */
    public sealed interface Result permits Loaded, InputError {
    }

    /** A plan, where its fields came from, and the findings (reading + checking), in that order. */
    public record Loaded(ClusterPlan plan, PlanSources sources, List<Finding> findings) implements Result {
        public Loaded {
            findings = List.copyOf(findings);
        }

        public boolean hasErrors() {
            return findings.stream().anyMatch(Finding::isError);
        }
    }

    /** Input that cannot be used; {@code message} is one line saying what and where, and what to do. */
    public record InputError(String message) implements Result {
    }

    /** A named text (a file's display name and content). */
    public record Input(String name, String text) {
    }

    /** Reads and checks files (by path) and flags ({@code [component] --flag=value ...}). */
    public static Result load(List<Path> files, List<String> flags) {
        List<Input> inputs = new ArrayList<>();
        for (Path p : files) {
            if (Files.isDirectory(p)) {
                return new InputError(p + ": is a directory; give a plan file (e.g. examples/kind-dualstack.yaml)");
            }
            try {
                inputs.add(new Input(p.toString(), Files.readString(p, StandardCharsets.UTF_8)));
            } catch (IOException | java.io.UncheckedIOException e) {
                String why = e instanceof java.nio.file.NoSuchFileException ? "no such file"
                        : e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                        : e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
                return new InputError(p + ": cannot read file (" + why + "); give a readable plan file");
            }
        }
        return loadTexts(inputs, flags);
    }

    /** Reads and checks texts and flags; pure (no file access). */
    public static Result loadTexts(List<Input> inputs, List<String> flags) {
        PlanBuilder b = new PlanBuilder();
        PlanReader r = new PlanReader(b);
        try {
            for (Input in : inputs) {
                r.readText(in.name(), in.text());
            }
            if (!flags.isEmpty()) r.readFlags(flags, "");
        } catch (PlanInputException e) {
            return new InputError(e.getMessage());
        }
        Loaded read = b.build();
        List<Finding> all = new ArrayList<>(read.findings());
        all.addAll(PlanChecker.check(read.plan(), read.sources()));
        return new Loaded(read.plan(), read.sources(), all);
    }

    /**
     * Splits command-line arguments into files and flags: a token starting with {@code -} or naming a
     * component ({@code kube-apiserver}, {@code kube-controller-manager}, {@code kube-proxy}, {@code kubelet})
     * starts the flags; a flag without {@code =} takes the next token as its value (boolean flags never do).
     * A flag no known component has is an input error naming it, before any token is taken as its value.
     */
    public static Result loadArgs(List<String> args) {
        List<Path> files = new ArrayList<>();
        List<String> flags = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (PlanReader.COMPONENTS.contains(a)) {
                flags.add(a);
            } else if (a.startsWith("-")) {
                String bare = a.replaceFirst("^--?", "").replaceFirst("=.*", "");
                if (!UpstreamFlags.known(null, bare)) {
                    return new InputError(UpstreamFlags.unknownMessage("", null, a.replaceFirst("=.*", ""), bare));
                }
                flags.add(a);
                if (!a.contains("=") && !UpstreamFlags.isBoolean(bare) && i + 1 < args.size() && !args.get(i + 1).startsWith("-")
                        && !PlanReader.COMPONENTS.contains(args.get(i + 1))) {
                    flags.add(args.get(++i));
                }
            } else {
                files.add(Path.of(a));
            }
        }
        return load(files, flags);
    }
}
