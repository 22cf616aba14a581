"""The answer of one solved scenario: tables, shadow prices, summary, and writing them out."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from dcplan.model.registry import is_penalty
from dcplan.model.sets import ModelSets
from dcplan.results import tables
from dcplan.results.bottlenecks import bottleneck_timeline
from dcplan.results.realised import ONE_UNIT_RESOLVES
from dcplan.results.shadow_prices import binding_summary, shadow_prices
from dcplan.scenario.scenario import Scenario
from dcplan.solve.highs import Solution

TABLE_NAMES = (
    "compute", "capacity", "gpus", "fleet_by_vintage", "power", "costs", "supply_chain", "shadow_prices", "binding",
    "bottlenecks", "sites", "superclusters", "fiber_links", "power_slices", "regional_supply", "flows", "training", "supercluster_power",
    "power_by_technology", "emissions",
)
SITE_COLUMNS = ["site", "name", "region", "latitude", "longitude", "operator", "max_it_mw", "max_grid_mw", "max_onsite_gas_mw", "pue"]


@dataclass
class Results:
    """Results of one solve as pandas DataFrames (see docs/results.md for every column)."""

    scenario: str
    status: str
    objective_usd: float
    compute: pd.DataFrame
    capacity: pd.DataFrame
    gpus: pd.DataFrame
    fleet_by_vintage: pd.DataFrame
    power: pd.DataFrame
    costs: pd.DataFrame
    supply_chain: pd.DataFrame
    shadow_prices: pd.DataFrame
    binding: pd.DataFrame
    bottlenecks: pd.DataFrame
    sites: pd.DataFrame
    superclusters: pd.DataFrame
    fiber_links: pd.DataFrame
    power_slices: pd.DataFrame
    regional_supply: pd.DataFrame
    flows: pd.DataFrame
    training: pd.DataFrame
    supercluster_power: pd.DataFrame
    power_by_technology: pd.DataFrame
    emissions: pd.DataFrame
    solver: dict = field(default_factory=dict)
    scope: str = ""

    def __repr__(self) -> str:
        from dcplan.results.display import results_repr

        return results_repr(self)

    def _repr_html_(self) -> str:
        from dcplan.results.display import results_html

        return results_html(self, tables=TABLE_NAMES)

    @property
    def unmet(self) -> pd.DataFrame:
        """Unmet demand by year (H100e)."""
        return self.compute[["year", "demand_h100e", "unmet_h100e"]]

    @property
    def unserved_value_usd(self) -> float:
        """Present value of demand (and training run) left unserved, at its value: the part of the
        objective that is not the plan's own cost."""
        c = self.costs
        return float(c.loc[c["category"].map(is_penalty).astype(bool), "cost_pv_usd"].sum())

    @property
    def energy_twh(self) -> dict[int, float]:
        """Electricity drawn by the planner's datacenters (grid + on-site), TWh per year."""
        e = self.power.groupby("year")["energy_mwh"].sum() / 1e6
        return {int(y): float(e.get(y, 0.0)) for y in self.compute["year"]}

    @property
    def facility_gw(self) -> dict[int, float]:
        """Facility power (IT x PUE) of the planner's datacenters, GW per year: the peak over time
        slices of the sum over sites."""
        ps = self.power_slices
        f = ps.groupby(["year", "slice"])["facility_mw"].sum().groupby("year").max() / 1e3 if len(ps) else pd.Series(dtype=float)
        return {int(y): float(f.get(y, 0.0)) for y in self.compute["year"]}

    def co2_mt_by_year(self) -> dict[str, float]:
        """CO2 of on-site and contracted generation per year, Mt (the emissions table's US rows)."""
        e = self.emissions
        us = e[e["scope"] == "US"] if len(e) else e
        return {str(int(y)): float(v) / 1e6 for y, v in zip(us["year"], us["co2_t"], strict=True)}

    def summary(self) -> dict:
        """A JSON-ready summary: status, objective, compute online and unmet per year, top binding."""
        top = {}
        for y, g in self.binding.groupby("year"):
            top[str(int(y))] = [
                {
                    "family": r.family, "where": r.where, "unit": r.unit,
                    "realised_usd_per_unit": round(float(r.realised_usd_per_unit), 4),
                    "shadow_price_usd_per_unit": round(float(r.shadow_price_usd_per_unit), 4),
                    "degenerate": None if pd.isna(getattr(r, "degenerate", False)) else bool(getattr(r, "degenerate", False)),
                }
                for r in g.head(5).itertuples()
            ]
        c = self.compute.set_index("year")
        unserved = self.unserved_value_usd
        return {
            "scenario": self.scenario,
            "scope": self.scope,
            "status": self.status,
            "objective_usd": self.objective_usd,
            "plan_cost_usd": self.objective_usd - unserved,
            "unserved_value_usd": unserved,
            "energy_twh": {str(y): v for y, v in self.energy_twh.items()},
            "facility_gw": {str(y): v for y, v in self.facility_gw.items()},
            "compute_online_h100e": {str(y): float(v) for y, v in c["online_h100e"].items()},
            "compute_online_flops_per_s": {str(y): float(v) for y, v in c["online_flops_per_s"].items()},
            "demand_h100e": {str(y): float(v) for y, v in c["demand_h100e"].items()},
            "unmet_h100e": {str(y): float(v) for y, v in c["unmet_h100e"].items()},
            "co2_mt": self.co2_mt_by_year(),
            "cost_by_category_pv_usd": {k: float(v) for k, v in self.costs.groupby("category")["cost_pv_usd"].sum().items()},
            "top_binding_constraints": top,
            "solver": self.solver,
        }

    def write(self, out_dir: str | Path, fmt: str = "parquet") -> list[Path]:
        """Write every table (Parquet or CSV) and summary.json as the whole of folder `out_dir`.

        The folder is replaced safely (see results/output.py): checked first, locked, written beside
        it and swapped into place, so no file of an earlier run remains. Returns the final paths.
        """
        from dcplan.results.output import OutputFolder

        check_format(fmt)
        folder = OutputFolder(out_dir)
        with folder as stage:
            names = [p.name for p in self.write_into(stage, fmt)]
        return [folder.out / n for n in names]

    def write_into(self, folder: str | Path, fmt: str = "parquet") -> list[Path]:
        """Write every table and summary.json into an existing (staging) folder; return the paths.

        ``xlsx`` writes one workbook, ``results.xlsx``, with a sheet per table."""
        out = Path(folder)
        check_format(fmt)
        written = write_frames({name: getattr(self, name) for name in TABLE_NAMES}, out, fmt)
        p = out / "summary.json"
        p.write_text(json.dumps(self.summary(), indent=2))
        written.append(p)
        return written


FORMATS = ("parquet", "csv", "xlsx")
WORKBOOK = "results.xlsx"
"""The one workbook of a ``--format xlsx`` run: a sheet per table, named as the table."""


def check_format(fmt: str) -> None:
    """Raise ValueError for a results format other than parquet, csv or xlsx."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


def write_table(df: pd.DataFrame, stem: Path, fmt: str) -> Path:
    """Write one table as `stem.<fmt>` (parquet or csv); return its path."""
    p = stem.with_name(f"{stem.name}.{fmt}")
    if fmt == "parquet":
        df.to_parquet(p, index=False)
    else:
        df.to_csv(p, index=False)
    return p


def write_frames(tables: dict[str, pd.DataFrame], folder: Path, fmt: str, workbook: str = WORKBOOK) -> list[Path]:
    """Write `tables` into `folder`: a file per table (parquet, csv) or one workbook (xlsx)."""
    check_format(fmt)
    if fmt == "xlsx":
        return [write_workbook(tables, folder / workbook)]
    return [write_table(df, folder / name, fmt) for name, df in tables.items()]


def write_workbook(tables: dict[str, pd.DataFrame], path: Path) -> Path:
    """Write `tables` as one Excel workbook, a sheet per table (header row frozen); return the path.

    Streams rows with openpyxl's write-only mode (about 3x faster than pandas' to_excel on the
    default's 15k-row shadow-price table); blanks (NaN) become empty cells."""
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    for name, df in tables.items():
        ws = wb.create_sheet(name[:31])
        ws.freeze_panes = "A2"
        ws.append([str(c) for c in df.columns])
        cells = df.astype(object).where(df.notna(), None)
        for row in cells.itertuples(index=False, name=None):
            ws.append([v.item() if hasattr(v, "item") else v for v in row])
    wb.save(path)
    return path


def extract_results(
    scn: Scenario, m, sets: ModelSets, solution: Solution, activity: dict, col_dual=None, ranger=None,
    one_unit_resolves: int = ONE_UNIT_RESOLVES,
) -> Results:
    """Read every results table off a solved model; `ranger` (a ``dcplan.solve.ranging.Ranger``
    of the solve) checks which shadow prices hold, with at most `one_unit_resolves` re-solves."""
    gpus = tables.gpu_table(scn, m, sets)
    sp = shadow_prices(scn, m, activity, col_dual, ranger, one_unit_resolves)
    by_slice = tables.power_slice_table(scn, m, sets)
    capacity = tables.capacity_table(scn, m, sets)
    power = tables.power_table(scn, m, sets, by_slice)
    by_tech = tables.power_by_technology_table(scn, m, sets)
    return Results(
        scenario=scn.name,
        status=solution.status,
        objective_usd=solution.objective * 1e6,
        compute=tables.compute_table(scn, m, sets, gpus),
        capacity=capacity,
        gpus=gpus,
        fleet_by_vintage=tables.vintage_table(scn, m, sets),
        power=power,
        power_slices=by_slice,
        regional_supply=tables.regional_supply_table(scn, m, sets),
        flows=tables.flow_table(scn, m, sets),
        training=tables.training_table(scn, m, sets),
        supercluster_power=tables.supercluster_power_table(scn, capacity, power, gpus),
        power_by_technology=by_tech,
        emissions=tables.emissions_table(scn, by_tech),
        costs=tables.cost_table(scn, m, sets),
        supply_chain=tables.supply_chain_table(scn, m, sets),
        shadow_prices=sp,
        binding=binding_summary(sp),
        bottlenecks=bottleneck_timeline(sp),
        sites=scn.tables["sites"][SITE_COLUMNS].copy(),
        scope=scn.scope,
        **network_tables(scn),
        solver={
            "status": solution.status, "solve_seconds": round(solution.solve_seconds, 4),
            "iterations": solution.iterations, "warm_started": solution.warm_started, **solution.stats,
        },
    )


def network_tables(scn: Scenario) -> dict[str, pd.DataFrame]:
    """Superclusters (one row per member site) and fiber links, for maps; empty without fiber."""
    sc_cols = ["supercluster", "origin", "site", "max_rtt_ms"]
    fl_cols = ["site_a", "site_b", "bandwidth_tbps"]
    links = scn.tables.get("fiber_links")
    if links is None or links.empty:
        return {"superclusters": pd.DataFrame(columns=sc_cols), "fiber_links": pd.DataFrame(columns=fl_cols)}
    from dcplan.network import superclusters

    rows = [
        {"supercluster": c.name, "origin": c.origin, "site": s, "max_rtt_ms": c.max_rtt_ms}
        for c in superclusters(scn)
        for s in c.sites
    ]
    return {"superclusters": pd.DataFrame(rows, columns=sc_cols), "fiber_links": links[fl_cols].copy()}
