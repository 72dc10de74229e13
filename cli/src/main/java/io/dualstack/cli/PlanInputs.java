package io.dualstack.cli;

import io.dualstack.core.plan.PlanChecker;
import io.dualstack.core.plan.PlanLoader;
import io.dualstack.core.plan.PlanSources;
import io.dualstack.core.plan.Plans;

import java.util.List;

/** Shared by the plan subcommands: reads the arguments, or the lab default plan when there are none. */
final class PlanInputs {
    private PlanInputs() {
    }

    static PlanLoader.Result load(List<String> args) {
        if (args == null || args.isEmpty()) {
            var plan = Plans.labDefault(Plans.KIND_DEFAULT_NAME);
            return new PlanLoader.Loaded(plan, PlanSources.none(), PlanChecker.check(plan));
        }
        return PlanLoader.loadArgs(args);
    }
}
