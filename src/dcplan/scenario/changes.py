"""The what-if change grammar: changes to a scenario, resolved into absolute overrides.

One what-if is one or more changes separated by ``;``. A change is either

- ``--set`` style: ``PATH=VALUE`` (set), ``PATH*=X`` (multiply), ``PATH+=X`` / ``PATH-=X`` (add or
  subtract; with ``%`` scale up or down by that percentage), or
- the short style: ``TARGET +X``, ``TARGET -X``, ``TARGET *X``, ``TARGET =X`` (same meanings).

``PATH``/``TARGET`` is a shortcut (:data:`SHORTCUTS`: ``cowos``, ``hbm``, ``interconnection``,
``headroom``, ``turbine_lead_time``, ...), a parameter name, or a table-cell path as in
scenario.yaml (``*`` matches every row). ``X`` is a number (negative allowed where the
parameter allows it: ``power_price.escalation_per_year=-0.01``) with an optional unit:

- ``%``, ``percent``, ``pct``: relative (``+20%`` = x1.2, ``-10 percent`` = x0.9, ``=70%`` = 0.7);
  ``*20%`` is refused as ambiguous (write ``+20%`` or ``*1.2``);
- ``MW``, ``GW``, ``kW`` on a target in MW (``interconnection +1 GW`` = +1,000 MW per region);
- ``MVA``, ``GVA`` on a target in MVA; ``year``/``years`` on a lead time.

A unit that does not fit the target, or an unknown word, is an error naming the units allowed.
Examples::

    "cowos +20%"                          all years' world CoWoS wafers x 1.2
    "turbine_lead_time -2 years"          gas turbine lead times - 2 (lead_time_years.gas_turbine, or
                                          the gas_sc / gas_cc rows of power_technologies.csv)
    "interconnection +1 GW"               every region's yearly interconnection cap + 1,000 MW
    "regions.TX.headroom_mw_start=5000"   --set style
    "supply.*.hbm_stacks_per_year*=1.5; demand_growth -5%"   two changes at once
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

@dataclass(frozen=True)
class Change:
    """One parsed change: target paths, operator ("add", "mul", "set") and amount (in the target's unit)."""

    text: str
    paths: tuple[str, ...]
    op: str
    amount: float

    def apply(self, current: float) -> float:
        if self.op == "add":
            return current + self.amount
        if self.op == "mul":
            return current * self.amount
        return self.amount


_NUM = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_SET_STYLE = re.compile(rf"^\s*(?P<target>[^\s=]+?)\s*(?P<op>[+\-*]?)=\s*(?P<num>{_NUM})\s*(?P<unit>.*?)\s*$")
_SHORT_STYLE = re.compile(rf"^\s*(?P<target>\S+)\s+(?P<op>[+\-*=])\s*(?P<num>{_NUM})\s*(?P<unit>.*?)\s*$")
EXAMPLE = "e.g. 'cowos +20%', 'interconnection +1 GW', 'turbine_lead_time -2 years' or 'regions.TX.headroom_mw_start=5000'"

PERCENT = {"%", "percent", "pct"}
UNITS: dict[str, tuple[str, float]] = {
    "mw": ("MW", 1.0), "gw": ("MW", 1e3), "kw": ("MW", 1e-3),
    "mva": ("MVA", 1.0), "gva": ("MVA", 1e3),
    "year": ("years", 1.0), "years": ("years", 1.0), "yr": ("years", 1.0), "yrs": ("years", 1.0),
}
"""Units a change may name, as (the target's unit, factor to it)."""


def target_unit(path: str) -> str | None:
    """The unit of a parameter or table column, read from its name: MW, MVA, years, or None."""
    name = path.rsplit(".", 1)[-1] if not path.startswith("lead_time_years.") else "lead_time_years"
    if "usd" in name:
        return None
    if re.search(r"(^|_)mw(_|$)", name):
        return "MW"
    if re.search(r"(^|_)mva(_|$)", name):
        return "MVA"
    if re.search(r"(^|_)years?(_|$)", name) and "per_year" not in name:
        return "years"
    return None


def _problem(text: str, msg: str) -> InputError:
    return InputError([InputProblem("what-if", f"'{text}': {msg}")])


def parse_change(text: str) -> Change:
    """Parse one change such as ``"cowos +20%"`` or ``"regions.TX.headroom_mw_start=5000"``; raise
    InputError saying what was expected when malformed."""
    m = _SET_STYLE.match(text) or _SHORT_STYLE.match(text)
    if not m:
        raise _problem(text, f"expected '<target> <op><number>[unit]' or '<path>[op]=<number>[unit]', {EXAMPLE}")
    target, op, num, unit = m["target"], m["op"] or "=", float(m["num"]), m["unit"].strip()
    paths = SHORTCUTS.get(target, [target])
    for p in paths:
        head = p.split(".", 1)[0]
        if p not in PARAMETERS and not (head in TABLES and head != "parameters"):
            known = ", ".join(sorted(SHORTCUTS))
            raise _problem(text, f"'{target}' is not a shortcut, parameter or table path; shortcuts: {known}")
    if unit.lower() in PERCENT:
        if op == "*":
            raise _problem(text, f"'*{m['num']}%' is ambiguous; write '+{m['num']}%' to scale up by {m['num']}% or '*{1 + num / 100:g}'")
        if op == "=":
            return Change(text, tuple(paths), "set", num / 100.0)
        return Change(text, tuple(paths), "mul", 1.0 + (num if op == "+" else -num) / 100.0)
    factor = 1.0
    if unit:
        units = {target_unit(p) for p in paths}
        want = units.pop() if len(units) == 1 else None
        allowed = ["%"] + [u for u, (dim, _) in UNITS.items() if dim == want]
        spec = UNITS.get(unit.lower())
        if op == "*":
            raise _problem(text, f"a factor has no unit ('{unit}'); write '*{m['num']}'")
        if spec is None or spec[0] != want:
            what = f"'{target}' is in {want}" if want else f"'{target}' takes a plain number"
            raise _problem(text, f"unit '{unit}' does not fit: {what}; units allowed: {', '.join(allowed)}")
        factor = spec[1]
    if op == "=":
        return Change(text, tuple(paths), "set", num * factor)
    if op == "*":
        return Change(text, tuple(paths), "mul", num)
    return Change(text, tuple(paths), "add", (num if op == "+" else -num) * factor)


def _matches(scn: Scenario, path: str) -> bool:
    """True if table path `path` names at least one row of the scenario."""
    table, *rest = path.split(".")
    df, spec = scn.tables.get(table), TABLES[table]
    if df is None or df.empty:
        return False
    mask = pd.Series(True, index=df.index)
    for k, part in zip(spec.key, rest[:-1], strict=False):
        if part != "*":
            mask &= df[k].astype(str) == part
    return bool(mask.any())


def parse_changes(text: str | list[str]) -> list[Change]:
    """Parse one what-if: changes separated by ``;`` (or a list of them); every problem at once."""
    parts = [t.strip() for item in ([text] if isinstance(text, str) else text) for t in str(item).split(";") if t.strip()]
    if not parts:
        raise _problem(str(text), f"no change given; {EXAMPLE}")
    out, problems = [], []
    for t in parts:
        try:
            out.append(parse_change(t))
        except InputError as e:
            problems += e.problems
    if problems:
        raise InputError(problems)
    return out


def absolute_overrides(scn: Scenario, change: Change | list[Change]) -> dict[str, float]:
    """Resolve changes, in order, against the scenario's current values into absolute overrides
    (a later change to the same cell applies to the earlier one's result)."""
    out: dict[str, float] = {}
    for ch in [change] if isinstance(change, Change) else change:
        for k, v in _one(scn, ch).items():
            out[k] = ch.apply(out[k]) if k in out and ch.op != "set" else v
    return out


def _one(scn: Scenario, change: Change) -> dict[str, float]:
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
        for k, part in zip(spec.key, key_parts, strict=False):
            if part != "*":
                mask &= df[k].astype(str) == part
        if column not in df.columns or not mask.any():
            raise InputError([InputProblem("what-if", f"'{path}' matches no cell of {spec.file}")])
        for _, row in df[mask].iterrows():
            key = ".".join(str(row[k]) for k in spec.key)
            v = change.apply(float(row[column]))
            out[f"{table}.{key}.{column}"] = int(v) if float(v).is_integer() else v  # whole numbers stay valid in int columns
    return out
