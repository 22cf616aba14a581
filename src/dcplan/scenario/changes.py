"""The what-if change grammar: one change to a scenario, resolved into absolute overrides.

A change is written ``"<target> <op><number>[%] [unit words]"``, for example

    "cowos +20%"                  all years' world CoWoS wafers x 1.2
    "turbine_lead_time -2 years"  gas turbine lead times - 2 (lead_time_years.gas_turbine, or the
                                  gas_sc / gas_cc rows of power_technologies.csv)
    "headroom +1000"              every region's headroom + 1,000 MW (start level)
    "regions.TX.interconnection_cap_mw_per_year =5000"
    "supply.*.hbm_stacks_per_year *1.5"

`<target>` is a shortcut (see :data:`SHORTCUTS`), a parameter name, or a table-cell path as
in scenario.yaml (``*`` matches every row). `<op>` is ``+`` / ``-`` (add, or scale with ``%``),
``*`` (multiply) or ``=`` (set).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from dcplan.errors import InputError, InputProblem
from dcplan.scenario.scenario import Scenario
from dcplan.scenario.schema import GLOBAL_ASSETS, PARAMETERS, SITE_ASSETS, TABLES

SHORTCUTS: dict[str, list[str]] = {
    "cowos": ["supply.*.cowos_wafers_per_year"],
    "hbm": ["supply.*.hbm_stacks_per_year"],
    "transformers": ["supply.*.transformer_mva_per_year"],
    "turbines": ["supply.*.gas_turbine_mw_per_year"],
    "interconnection": ["regions.*.interconnection_cap_mw_per_year"],
    "headroom": ["regions.*.headroom_mw_start"],
    "demand": ["demand.start_h100e_millions"],
    "demand_growth": ["demand.growth_per_year"],
    "power_price": ["regions.*.power_price_usd_per_mwh"],
    "gas_price": ["regions.*.gas_price_usd_per_mmbtu"],
}
for _a in SITE_ASSETS + GLOBAL_ASSETS:
    SHORTCUTS[f"{_a}_lead_time"] = [f"lead_time_years.{_a}"]
    SHORTCUTS[f"lead_time.{_a}"] = [f"lead_time_years.{_a}"]
SHORTCUTS["turbine_lead_time"] = ["lead_time_years.gas_turbine"]
SHORTCUTS["grid_lead_time"] = ["lead_time_years.grid_interconnection"]

PORTFOLIO_PATHS: dict[str, list[str]] = {
    "supply.*.gas_turbine_mw_per_year": [
        "power_deliveries.gas_turbine.*.deliveries_mw_per_year", "power_deliveries.aeroderivative.*.deliveries_mw_per_year",
    ],
    "lead_time_years.gas_turbine": ["power_technologies.gas_sc.lead_time_years", "power_technologies.gas_cc.lead_time_years"],
}
"""Where the legacy gas-turbine paths of the shortcuts live in a scenario with power_technologies.csv
(paths matching no row of that scenario are skipped)."""

_CHANGE = re.compile(r"^\s*(?P<target>\S+)\s+(?P<op>[+\-*=])\s*(?P<num>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+)\s*(?P<pct>%?)\s*[A-Za-z ]*$")


@dataclass(frozen=True)
class Change:
    """One parsed change: target paths, operator and amount."""

    text: str
    paths: tuple[str, ...]
    op: str  # "add", "mul", "set"
    amount: float

    def apply(self, current: float) -> float:
        if self.op == "add":
            return current + self.amount
        if self.op == "mul":
            return current * self.amount
        return self.amount


def parse_change(text: str) -> Change:
    """Parse a change such as ``"cowos +20%"``; raise InputError with an example when malformed."""
    m = _CHANGE.match(text)
    if not m:
        raise InputError([InputProblem("what-if", f"'{text}': expected '<target> <op><number>[%]', e.g. 'cowos +20%' or 'turbine_lead_time -2 years'")])
    target, op, num, pct = m["target"], m["op"], float(m["num"]), m["pct"] == "%"
    paths = SHORTCUTS.get(target, [target])
    for p in paths:
        head = p.split(".", 1)[0]
        if p not in PARAMETERS and not (head in TABLES and head != "parameters"):
            known = ", ".join(sorted(SHORTCUTS))
            raise InputError([InputProblem("what-if", f"'{target}' is not a shortcut, parameter or table path; shortcuts: {known}")])
    if op == "=":
        return Change(text, tuple(paths), "set", num)
    if op == "*":
        return Change(text, tuple(paths), "mul", num)
    sign = 1.0 if op == "+" else -1.0
    if pct:
        return Change(text, tuple(paths), "mul", 1.0 + sign * num / 100.0)
    return Change(text, tuple(paths), "add", sign * num)


def _matches(scn: Scenario, path: str) -> bool:
    """True if table path `path` names at least one row of the scenario."""
    table, *rest = path.split(".")
    df, spec = scn.tables.get(table), TABLES[table]
    if df is None or df.empty:
        return False
    mask = pd.Series(True, index=df.index)
    for k, part in zip(spec.key, rest[:-1]):
        if part != "*":
            mask &= df[k].astype(str) == part
    return bool(mask.any())


def absolute_overrides(scn: Scenario, change: Change) -> dict[str, float]:
    """Resolve a change against the scenario's current values into absolute overrides."""
    out: dict[str, float] = {}
    paths: list[str] = []
    for p in change.paths:
        alts = None if scn.legacy_power else PORTFOLIO_PATHS.get(p)
        if alts is None:
            paths.append(p)
            continue
        hit = [q for q in alts if _matches(scn, q)]
        if not hit:
            msg = f"'{p}' is a gas-turbine path; this scenario describes power in power_technologies.csv and has none of {alts}"
            raise InputError([InputProblem("what-if", msg)])
        paths += hit
    for path in paths:
        if path in PARAMETERS:
            out[path] = change.apply(scn.params[path])
            continue
        table, *rest = path.split(".")
        spec = TABLES[table]
        *key_parts, column = rest
        df = scn.tables[table]
        mask = pd.Series(True, index=df.index)
        for k, part in zip(spec.key, key_parts):
            if part != "*":
                mask &= df[k].astype(str) == part
        if column not in df.columns or not mask.any():
            raise InputError([InputProblem("what-if", f"'{path}' matches no cell of {spec.file}")])
        for _, row in df[mask].iterrows():
            key = ".".join(str(row[k]) for k in spec.key)
            v = change.apply(float(row[column]))
            out[f"{table}.{key}.{column}"] = int(v) if float(v).is_integer() else v  # whole numbers stay valid in int columns
    return out
