"""Compare runs side by side: `dcplan.compare([dir1, dir2, ...])` and `dcplan compare DIR1 DIR2 --out compare.html`.

Each run is a results folder (or a `Results` / `LoadedResults`); the first is the reference and
every table carries each run's value and its difference from the reference. Tables (pandas):

- ``key_figures``: one row per run: plan cost, unserved-demand value and objective (PV USD),
  compute online, unmet demand, facility power and energy in the last year, binding families;
- ``by_year``: run, year, metric, value, change vs the reference (spending and unserved value
  in year-y USD, compute online and unmet in H100e, energy in MWh, facility MW);
- ``capacity``: run, asset, region, year, online capacity and change;
- ``costs``: run, category, PV USD and change (penalties flagged);
- ``binding``: run, year, constraint family, highest shadow price that year, binding in the
  reference and in the run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from dcplan.model.registry import is_penalty
from dcplan.reports.load import LoadedResults, read_results


@dataclass
class Comparison:
    """Side-by-side tables of several runs; the first run is the reference."""

    runs: list[str]
    key_figures: pd.DataFrame
    by_year: pd.DataFrame
    capacity: pd.DataFrame
    costs: pd.DataFrame
    binding: pd.DataFrame
    sources: list[str]

    def __repr__(self) -> str:
        return f"<Comparison of {len(self.runs)} runs: {', '.join(self.runs)} (reference: {self.runs[0]})>"

    def to_html(self) -> str:
        """The comparison as one self-contained HTML page."""
        from dcplan.reports.compare_html import render_comparison

        return render_comparison(self)

    def write_html(self, path: str | Path) -> Path:
        """Write :meth:`to_html` to `path`; return it."""
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(self.to_html(), encoding="utf-8")
        return p


def _load(run) -> LoadedResults:
    if isinstance(run, (str, Path)):
        return read_results(run)
    if isinstance(run, LoadedResults):
        return run
    # a dcplan.Results: present it as loaded tables
    from dcplan.results.results import TABLE_NAMES

    tables = {n: getattr(run, n) for n in TABLE_NAMES if hasattr(run, n)}
    return LoadedResults(path=Path(f"<{run.scenario}>"), tables=tables, summary=run.summary())


def _names(loaded: list[LoadedResults]) -> list[str]:
    """Run labels: the scenario name, with the folder name where scenarios repeat."""
    base = [r.scenario for r in loaded]
    out = []
    for r, b in zip(loaded, base, strict=False):
        name = b if base.count(b) == 1 else f"{b} ({r.path.name})"
        while name in out:
            name += "'"
        out.append(name)
    return out


def _penalty_pv(r: LoadedResults) -> float:
    c = r.costs
    return float(c.loc[c["category"].map(is_penalty), "cost_pv_usd"].sum())


def _key_row(name: str, r: LoadedResults) -> dict:
    comp = r.compute.sort_values("year")
    last = int(comp["year"].iloc[-1])
    c = comp.set_index("year")
    unserved = float(r.summary.get("unserved_value_usd", _penalty_pv(r)))
    plan = float(r.summary.get("plan_cost_usd", r.objective_usd - unserved))
    p = r.power[r.power["year"] == last]
    fams = sorted(set(r.binding["label"] if "label" in r.binding else r.binding["family"]))
    return {
        "run": name, "scenario": r.scenario, "status": r.status, "last_year": last,
        "plan_cost_usd": plan, "unserved_value_usd": unserved, "objective_usd": r.objective_usd,
        "online_h100e_last_year": float(c.at[last, "online_h100e"]), "unmet_h100e_last_year": float(c.at[last, "unmet_h100e"]),
        "facility_mw_last_year": float(p["facility_mw"].sum()), "energy_mwh_last_year": float(p["energy_mwh"].sum()),
        "binding_families": ", ".join(fams),
    }


def _with_change(df: pd.DataFrame, keys: list[str], ref: str, value: str = "value") -> pd.DataFrame:
    """Add `change` = value - the reference run's value for the same keys (reference missing = 0)."""
    r = df[df["run"] == ref].set_index(keys)[value]
    joined = df.join(r.rename("_ref"), on=keys)
    df = df.assign(change=joined[value] - joined["_ref"].fillna(0.0))
    return df


def _by_year(name: str, r: LoadedResults) -> pd.DataFrame:
    years = sorted(int(y) for y in r.compute["year"])
    costs = r.costs.assign(penalty=r.costs["category"].map(is_penalty))
    spend = costs[~costs["penalty"]].groupby("year")["cost_usd"].sum()
    unserved = costs[costs["penalty"]].groupby("year")["cost_usd"].sum()
    c = r.compute.set_index("year")
    pw = r.power.groupby("year")[["facility_mw", "energy_mwh"]].sum()
    metrics = {
        "plan_spending_usd": spend, "unserved_value_usd": unserved,
        "online_h100e": c["online_h100e"], "unmet_h100e": c["unmet_h100e"],
        "facility_mw": pw["facility_mw"], "energy_mwh": pw["energy_mwh"],
    }
    rows = [
        {"run": name, "year": y, "metric": m, "value": float(s.get(y, 0.0))} for m, s in metrics.items() for y in years
    ]
    return pd.DataFrame(rows)


def compare(runs: Sequence) -> Comparison:
    """Compare runs (results folders, `Results` or `LoadedResults`); the first is the reference.

    Raises `dcplan.reports.load.ResultsNotFound` naming a folder that holds no complete results,
    and ValueError for fewer than two runs.
    """
    if len(runs) < 2:
        raise ValueError(f"compare needs at least two runs, got {len(runs)}")
    loaded = [_load(r) for r in runs]
    names = _names(loaded)
    ref = names[0]
    key = pd.DataFrame([_key_row(n, r) for n, r in zip(names, loaded, strict=False)])
    for col in ("plan_cost_usd", "unserved_value_usd", "objective_usd", "online_h100e_last_year", "unmet_h100e_last_year"):
        key[f"{col}_change"] = key[col] - key.at[0, col]
    by_year = _with_change(pd.concat([_by_year(n, r) for n, r in zip(names, loaded, strict=False)], ignore_index=True), ["year", "metric"], ref)
    cap = pd.concat(
        [r.capacity.groupby(["asset", "region", "year"], as_index=False)["online"].sum().assign(run=n) for n, r in zip(names, loaded, strict=False)],
        ignore_index=True,
    )
    cap = _all_keys(cap, ["asset", "region", "year"], names, "online")
    cap = _with_change(cap, ["asset", "region", "year"], ref, "online")[["run", "asset", "region", "year", "online", "change"]]
    costs = pd.concat(
        [r.costs.groupby("category", as_index=False)["cost_pv_usd"].sum().assign(run=n) for n, r in zip(names, loaded, strict=False)],
        ignore_index=True,
    )
    costs = _all_keys(costs, ["category"], names, "cost_pv_usd")
    costs = _with_change(costs, ["category"], ref, "cost_pv_usd").assign(penalty=lambda d: d["category"].map(is_penalty))
    costs = costs[["run", "category", "penalty", "cost_pv_usd", "change"]]
    binding = _binding(names, loaded)
    return Comparison(
        runs=names, key_figures=key, by_year=by_year, capacity=cap, costs=costs, binding=binding,
        sources=[str(r.path) for r in loaded],
    )


def _all_keys(df: pd.DataFrame, keys: list[str], names: list[str], value: str) -> pd.DataFrame:
    """Every key in every run (0 where a run has none), so differences show what a run lacks."""
    idx = pd.MultiIndex.from_product([names, *[sorted(df[k].unique()) for k in keys]], names=["run", *keys])
    full = df.set_index(["run", *keys])[value].reindex(idx, fill_value=0.0).reset_index()
    return full[full.groupby(keys)[value].transform(lambda s: (s != 0).any())].reset_index(drop=True)


def _binding(names: list[str], loaded: list[LoadedResults]) -> pd.DataFrame:
    rows = []
    for n, r in zip(names, loaded, strict=False):
        b = r.binding
        label = b["label"] if "label" in b else b["family"]
        g = b.assign(label=label).groupby(["year", "label", "unit"], as_index=False)["shadow_price_usd_per_unit"].max()
        rows.append(g.assign(run=n))
    df = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
    ref = set(map(tuple, df[df["run"] == names[0]][["year", "label"]].itertuples(index=False, name=None)))
    df["in_reference"] = [(y, lab) in ref for y, lab in zip(df["year"], df["label"], strict=False)]
    return df[["run", "year", "label", "unit", "shadow_price_usd_per_unit", "in_reference"]].sort_values(
        ["year", "label", "run"]
    ).reset_index(drop=True)
