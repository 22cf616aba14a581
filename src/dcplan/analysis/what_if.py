"""What-if: change a scenario (relax a constraint family, change any parameter) and compare with the base.

The change grammar (``"cowos +20%"``, ``"interconnection +1 GW"``, ``"path*=1.2; other+=5"``) is
:mod:`dcplan.scenario.changes`; :func:`prepare_what_if` parses and validates a what-if without
solving (so the command line refuses a bad one before writing anything), :func:`what_if` solves
the variant and compares it with the base.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dcplan.plan import Plan
from dcplan.results.results import Results
from dcplan.errors import InputError, InputProblem
from dcplan.scenario.changes import Change, absolute_overrides, parse_change, parse_changes
from dcplan.scenario.scenario import Scenario

__all__ = ["Change", "PreparedWhatIf", "WhatIf", "absolute_overrides", "parse_change", "prepare_what_if", "what_if"]


@dataclass
class PreparedWhatIf:
    """A parsed and validated what-if: its changes, their absolute overrides and the variant scenario."""

    change: str
    changes: list[Change]
    overrides: dict[str, float]
    variant: Scenario


def prepare_what_if(scenario: Scenario, change: str | list[str]) -> PreparedWhatIf:
    """Parse `change` (changes separated by ``;``, or a list), resolve it against `scenario` and
    validate the variant, without solving. Raises InputError naming the what-if and each problem."""
    text = change if isinstance(change, str) else "; ".join(change)
    changes = parse_changes(change)
    overrides = absolute_overrides(scenario, changes)
    try:
        variant = scenario.with_overrides(overrides)
    except InputError as e:
        raise InputError([InputProblem(f"what-if '{text}'", str(p)) for p in e.problems]) from None
    return PreparedWhatIf(text, changes, overrides, variant)


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


def what_if(
    scenario: Scenario, change: str | list[str] | PreparedWhatIf, base: Results | None = None, plan: Plan | None = None
) -> WhatIf:
    """Solve `scenario` with `change` applied and compare it with the base run.

    Reuses `plan` (warm re-solve when only parameters change) and `base` when given. When `plan`
    holds another scenario (an earlier what-if's variant), the base is re-solved from `scenario`,
    never taken from the plan's last variant.
    """
    prep = change if isinstance(change, PreparedWhatIf) else prepare_what_if(scenario, change)
    if plan is None:
        plan = Plan(scenario)
    if base is None:
        base = plan.solve() if plan.scenario is scenario else plan.resolve(scenario)
    variant = plan.resolve(prep.variant)
    return WhatIf(change=prep.change, overrides=prep.overrides, base=base, variant=variant)
