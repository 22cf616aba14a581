"""What-if: relax one constraint family (or change any parameter) and compare with the base.

The change grammar (``"cowos +20%"``, ``"turbine_lead_time -2 years"``, ...) is
:mod:`dcplan.scenario.changes`; this module solves the variant and compares it with the base.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dcplan.plan import Plan
from dcplan.results.results import Results
from dcplan.scenario.changes import Change, absolute_overrides, parse_change
from dcplan.scenario.scenario import Scenario

__all__ = ["Change", "WhatIf", "absolute_overrides", "parse_change", "what_if"]


@dataclass
class WhatIf:
    """A base run, a variant run, and their differences by year."""

    change: str
    overrides: dict[str, float]
    base: Results
    variant: Results

    @property
    def delta(self) -> pd.DataFrame:
        """Per year: cost (USD, year-y dollars), compute online and unmet (H100e), base vs variant."""
        def per_year(r: Results) -> pd.DataFrame:
            c = r.compute.set_index("year")[["online_h100e", "unmet_h100e"]]
            cost = r.costs.groupby("year")["cost_usd"].sum().rename("cost_usd")
            return c.join(cost).fillna(0.0)

        b, v = per_year(self.base), per_year(self.variant)
        out = pd.DataFrame(index=b.index.union(v.index))
        for col in ("cost_usd", "online_h100e", "unmet_h100e"):
            out[f"{col}_base"] = b[col]
            out[f"{col}_variant"] = v[col]
            out[f"{col}_change"] = out[f"{col}_variant"] - out[f"{col}_base"]
        return out.fillna(0.0).reset_index().rename(columns={"index": "year"})

    @property
    def objective_change_usd(self) -> float:
        """Change in total discounted cost (negative = the relaxation saves money)."""
        return self.variant.objective_usd - self.base.objective_usd


def what_if(scenario: Scenario, change: str, base: Results | None = None, plan: Plan | None = None) -> WhatIf:
    """Solve `scenario` with `change` applied and compare it with the base run.

    Reuses `plan` (warm re-solve when only parameters change) and `base` when given.
    """
    ch = parse_change(change)
    overrides = absolute_overrides(scenario, ch)
    variant_scn = scenario.with_overrides(overrides)
    plan = plan or Plan(scenario)
    base = base or plan.solve()
    variant = plan.resolve(variant_scn)
    return WhatIf(change=change, overrides=overrides, base=base, variant=variant)
