"""Largest training run mode: how big a run (H100e, FLOP, GW) can one campus or one
supercluster host in a given year, and what limits it? (docs/network.md, "Largest training run")

The scenario gets a training run in `year`, hosted by `hosted_by` (eq. R1-R3), larger than the
hosts could ever power (their `max_it_mw` filled with the most H100e per kW of any generation),
and a prohibitive penalty on the part not hosted. Minimising cost then maximises the hosted
run; every other demand, limit and cost stays as in the scenario. The scenario's own training runs
in other years stay too, under the same prohibitive penalty, so the run cannot grow by dropping
them. A run must be hosted in every
time slice, so its size is that of the slice where the least is hosted (the limiting slice);
load may move between member sites from slice to slice.

- H100e: compute hosted in the limiting slice.
- FLOP = H100e x 0.989e15 FLOP/s x `training.utilization` x `training.run_days` x 86,400 s.
- GW: the run's share of each member's facility power in the limiting slice (hosted H100e /
  H100e in use at the site x the site's IT MW x PUE).
- Limits: binding capacity and supply constraints (not the balances or definitional rows:
  model/registry.py roles) ranked by `run_h100e_per_unit`, the run H100e (in every slice) one
  more unit of that limit alone adds: its present-value value that holds (results/realised.py:
  the shadow price where ranging shows it holds for a unit, else a one-unit re-solve; summed
  over slices for per-slice limits, one more unit in every slice) / the value of one more H100e
  of run in every slice (Σ_t of R1's present-value dual). `run_h100e_per_unit_dual` is the
  same rate from the shadow price, an upper bound. Where the two differ by more than half
  (`degenerate`: two limits tight on the same quantity, the dual given to one of them),
  `tight_alongside` names the limits tight at a zero dual in the run's year at the same site (or
  fiber link's ends), its region and globally: relaxing the limit alone adds little because one
  of those binds next.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from dcplan.errors import InputError, InputProblem, SolveError
from dcplan.model.registry import ROW_FAMILIES, not_limits
from dcplan.results.realised import bears_on_run, holds_value
from dcplan.results.shadow_prices import annual, where_column
from dcplan.results.tables import training_summary
from dcplan.scenario.scenario import H100_REFERENCE_PFLOPS, Scenario

PROHIBITIVE_USD_PER_H100E_YEAR = 1e8
"""Penalty on the run not hosted; at least 1,000 x the demand penalty is used."""

SECONDS_PER_DAY = 86_400

MATERIAL = 0.01
"""Limits whose shadow price is under this share of the top one's (in run H100e per unit) are
left out: they price the rest of the plan (other demand at its ordinary penalty), not the run."""
TIGHT_TOL = 1e-6
"""A limit is tight when its slack (planner units, summed over slices: the least slice's) is at most this."""
LIMIT_COLUMNS = [
    "family", "equation", "label", "where", "year", "unit", "run_h100e_per_unit", "run_h100e_per_unit_dual",
    "degenerate", "realised_by", "tight_alongside", "shadow_price_pv_usd_per_unit", "realised_pv_usd_per_unit",
    "slices_binding",
]

@dataclass
class LargestRun:
    """The largest run `hosted_by` can host in `year`, where it runs and what limits it."""

    year: int
    hosted_by: str
    kind: str  # "campus" (one site) or "supercluster"
    sites: list[str]
    regions: list[str]
    run_h100e: float
    run_flop: float
    run_gw: float
    limiting_slice: str
    by_site: pd.DataFrame  # the run at each member site in the limiting slice
    limits: pd.DataFrame  # binding constraints ranked by the run H100e one more unit adds
    results: object = field(repr=False, default=None)  # the solved dcplan Results

    def row(self) -> dict:
        """One flat row for a comparison table."""
        top = self.limits.iloc[0] if not self.limits.empty else None
        return {
            "year": self.year, "hosted_by": self.hosted_by, "kind": self.kind, "n_sites": len(self.sites),
            "sites": ", ".join(self.sites), "regions": ", ".join(self.regions), "run_h100e": self.run_h100e,
            "run_flop": self.run_flop, "run_gw": self.run_gw, "limiting_slice": self.limiting_slice,
            "top_limit": "" if top is None else _limit_name(top),
        }


def _limit_name(lim) -> str:
    """'label (equation) where year', with the limits tight beside a degenerate one."""
    name = f"{lim['label']} ({lim['equation']}) {lim['where']} {lim['year']}"
    return f"{name}, jointly with {lim['tight_alongside']}" if lim.get("tight_alongside") else name


def run_flop(scn: Scenario, h100e: float) -> float:
    """Total FLOP of a run of `h100e` H100-equivalents over `training.run_days` at `training.utilization`."""
    p = scn.params
    return h100e * H100_REFERENCE_PFLOPS * 1e15 * p["training.utilization"] * p["training.run_days"] * SECONDS_PER_DAY


def host_sites(scn: Scenario, year: int, hosted_by: str) -> list[str]:
    """Member sites of `hosted_by` (a named or found supercluster, or a site id); InputError
    naming `--host` or `--year` when it is unknown or the year is outside the horizon."""
    from dcplan.network import fiber_graph, training_hosts, unknown_host_message

    _check_year(scn, year)
    hosts = training_hosts(scn.sites.index, scn.tables.get("superclusters"), fiber_graph(scn))
    if hosted_by not in hosts:
        raise InputError([InputProblem("--host", unknown_host_message(hosted_by, hosts))])
    return sorted(hosts[hosted_by])


def _check_year(scn: Scenario, year: int) -> None:
    if not scn.start_year <= year <= scn.end_year:
        raise InputError([InputProblem("--year", f"got {year}; expected a year of the horizon {scn.start_year}-{scn.end_year}")])


def _with_training(scn: Scenario, year: int, hosted_by: str, run_h100e_millions: float, extra: dict) -> Scenario:
    from dcplan.scenario.load import scenario_from_tables

    t = {k: v.copy() for k, v in scn.raw_tables.items()}
    own = t.get("training")
    run = pd.DataFrame(
        [{"year": str(year), "supercluster": hosted_by, "run_h100e_millions": repr(run_h100e_millions),
          "source": "largest-run mode", "source_year": str(year)}]
    )
    if own is not None and len(own):  # the scenario's own runs in other years stay as they are
        other = own[pd.to_numeric(own["year"].astype(str).str.strip(), errors="coerce") != year]
        run = pd.concat([other, run], ignore_index=True).fillna("")
    t["training"] = run
    return scenario_from_tables(
        t, name=f"{scn.name}: largest run {year} @ {hosted_by}", overrides={**scn.overrides, **extra},
        solver_options=scn.solver_options,
    )


def _upper_bound_h100e(scn: Scenario, sites: list[str]) -> float:
    """More than the members could ever host: their IT limits filled with the best H100e per kW."""
    g = scn.gpus
    best_h100e_per_kw = float((g["h100e_per_gpu"] / g["it_power_kw_per_gpu"]).max())
    it_mw = float(pd.to_numeric(scn.sites.loc[sites, "max_it_mw"]).sum())
    return 2.0 * it_mw * 1e3 * best_h100e_per_kw + 1.0


def largest_training_run(scn: Scenario, year: int, hosted_by: str, top_limits: int = 10) -> LargestRun:
    """The largest run `hosted_by` (a supercluster name or a site id) can host in `year`."""
    from dcplan.plan import Plan

    members = host_sites(scn, year, hosted_by)
    bound = _upper_bound_h100e(scn, members)
    top_value = max(scn.tranche_value_usd_per_h100e_year(k, y) for k in scn.tranches for y in scn.years)
    penalty = max(PROHIBITIVE_USD_PER_H100E_YEAR, 1e3 * top_value)
    variant = _with_training(scn, year, hosted_by, bound / 1e6, {"training.unmet_penalty_usd_per_h100e_year": penalty})
    res = Plan(variant).solve()
    tr = res.training[res.training["year"] == year]
    summary = training_summary(tr).iloc[0]
    worst, h100e = summary["limiting_slice"], summary["hosted_h100e"]
    if h100e >= 0.999 * bound:  # cannot happen unless a limit is missing; never report a bound as an answer
        raise SolveError(
            "search bound reached",
            f"the largest run at {hosted_by} in {year} reached the search bound {bound:,.0f} H100e: no limit "
            "binds the run (check the members' max_it_mw, grid and power limits in sites.csv)",
        )
    by_site = tr[tr["slice"] == worst][["site", "region", "anchor", "hosted_h100e", "run_it_mw", "run_facility_mw"]]
    regions = sorted(set(by_site["region"]))
    return LargestRun(
        year=year, hosted_by=hosted_by, kind="campus" if members == [hosted_by] else "supercluster",
        sites=members, regions=regions, run_h100e=h100e, run_flop=run_flop(scn, h100e),
        run_gw=summary["run_facility_mw"] / 1e3, limiting_slice=worst,
        by_site=by_site.reset_index(drop=True), limits=_limits(res.shadow_prices, year, members).head(top_limits),
        results=res,
    )


def _limits(sp: pd.DataFrame, year: int, sites: list[str]) -> pd.DataFrame:
    """Binding limits on the run (see the module docstring): global ones, the members' and their
    regions', and corridors touching those regions, in `year` or before, ranked by the run H100e
    one more unit of that limit alone adds (its value that holds, results/realised.py), then by
    the rate its shadow price gives. A degenerate limit (relaxing it alone adds less than half
    what its dual says) names the limits tight beside it at a zero dual (`tight_alongside`)."""
    a = annual(sp)
    r1 = a[(a["family"] == "training_demand") & (a["year"] == year)]["shadow_price_pv_usd_per_unit"].sum()
    if r1 <= 0:
        return pd.DataFrame(columns=LIMIT_COLUMNS)
    a = a[~a["family"].isin(not_limits())].copy()
    a = a[bears_on_run(a, year, sites)]
    a["where"] = where_column(a, "")
    d = a[a["binding"].astype(bool)].copy()
    if d.empty:
        return pd.DataFrame(columns=LIMIT_COLUMNS)
    d["year"] = d["year"].fillna(year).astype(int)
    d["run_h100e_per_unit"] = holds_value(d, pv=True).clip(lower=0.0) / r1
    d["run_h100e_per_unit_dual"] = d["shadow_price_pv_usd_per_unit"] / r1
    d["degenerate"] = d["degenerate"].astype("boolean")  # realised_by 'unchecked' and NA without ranging
    d = d[d["run_h100e_per_unit_dual"] >= MATERIAL * d["run_h100e_per_unit_dual"].max()]
    rows = a["family"].isin(list(ROW_FAMILIES))  # a column family's slack is not a limit's
    tight = a[rows & ~a["binding"].astype(bool) & (a["slack"].abs() <= TIGHT_TOL) & (a["year"] == year)]
    flagged = d["degenerate"].fillna(False).to_numpy(bool) & (d["year"] == year).to_numpy(bool)
    d["tight_alongside"] = [_tight_beside(r, tight) if f else "" for f, r in zip(flagged, d.to_dict("records"), strict=True)]
    d = d.sort_values(["run_h100e_per_unit", "run_h100e_per_unit_dual"], ascending=False, kind="stable")
    return d[LIMIT_COLUMNS].reset_index(drop=True)


def _tight_beside(limit: dict, tight: pd.DataFrame) -> str:
    """The tight zero-dual limits that share a place with `limit`: at its site (or the sites at
    the ends of its fiber link), its region, its corridor's regions, and global ones; names
    joined by ', '."""
    corridor = limit.get("corridor")
    ends = set(str(corridor).split("->" if "->" in str(corridor) else "-")) if isinstance(corridor, str) else set()
    site, region = limit.get("site"), limit.get("region")
    sites = ({site} if isinstance(site, str) else set()) | ends
    regions = ({region} if isinstance(region, str) else set()) | ends
    if not sites and not regions:  # a global limit: everything tight in the run's scope
        near = pd.Series(True, index=tight.index)
    else:
        near = (tight["scope"] == "global") | tight["site"].isin(sites) | (tight["site"].isna() & tight["region"].isin(regions))
    names = (tight.loc[near, "label"] + " " + tight.loc[near, "where"].astype(str)).str.strip()
    return ", ".join(sorted(set(names)))


def campus_and_supercluster_runs(scn: Scenario, year: int, hosted_by: str) -> list[LargestRun]:
    """The largest run on each member campus alone, then on the whole supercluster (just the
    campus when `hosted_by` is a site)."""
    members = host_sites(scn, year, hosted_by)
    runs = [largest_training_run(scn, year, s) for s in members]
    if members != [hosted_by]:
        runs.append(largest_training_run(scn, year, hosted_by))
    return runs


def comparison_table(runs: list[LargestRun]) -> pd.DataFrame:
    """One row per run (LargestRun.row), with `x_best_campus` = run / the best single campus's
    run of the same year."""
    df = pd.DataFrame([r.row() for r in runs])
    best = df[df["kind"] == "campus"].groupby("year")["run_h100e"].max()
    df["x_best_campus"] = df["run_h100e"] / df["year"].map(best)
    return df


def limits_table(runs: list[LargestRun]) -> pd.DataFrame:
    """The limits of every run, stacked, with the run's year and host in front."""
    frames = [r.limits.rename(columns={"year": "limit_year"}).assign(run_year=r.year, hosted_by=r.hosted_by) for r in runs]
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame()
    df = pd.concat(frames, ignore_index=True)
    return df[["run_year", "hosted_by"] + [c for c in df.columns if c not in ("run_year", "hosted_by")]]


def compare_campus_and_supercluster(scn: Scenario, year: int, supercluster: str) -> pd.DataFrame:
    """Largest run on each member campus alone and on the whole supercluster, side by side, with
    `x_best_campus` = run / the best single campus's run."""
    return comparison_table(campus_and_supercluster_runs(scn, year, supercluster))
