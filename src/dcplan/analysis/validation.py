"""The default's outputs beside published figures (LBNL, IEA, EPRI, EPRI/Epoch, Epoch, hyperscaler
capex, GE Vernova), each in range or with the reason it is not.

`PUBLISHED` is the one place the ranges live: docs/validation.md is generated from it by
``python -m dcplan.analysis.validation`` and tests/test_default.py checks the default against
the rows marked `checked`. Every range is in the model's own terms (US AI datacenters only);
how a published all-datacenter figure becomes an AI range is written in its `derivation`.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

NON_AI_TWH = (150.0, 176.0)
"""US non-AI datacenter load, TWh/yr, held at its 2023 level: LBNL 2024 puts all US datacenters at
176 TWh in 2023, of which AI (accelerated) servers a minority (assumption: up to ~15%); LBNL
attributes the growth since 2017 largely to AI servers, so non-AI load is taken as flat."""

TURBINE_FAMILIES = ("gas_turbine", "aeroderivative")
"""Delivery families (power_technologies.csv `family`) that are gas turbines, the OEM output GE
Vernova's backlog is made of: heavy-duty frames (gas_cc; the legacy gas_turbine) and
aeroderivative / industrial units (gas_sc). Reciprocating engines, fuel cells and batteries are not."""

US_TWH_2030 = 4940.0
"""US electricity use in 2030, TWh: LBNL's own shares imply ~4,840 TWh in 2028 (325 TWh = 6.7%,
580 TWh = 12%) [D], grown 1%/yr (assumption)."""


@dataclass(frozen=True)
class Published:
    """One published figure as a range for one model output."""

    key: str
    output: str  # energy_twh, facility_gw, campus_gw, supercluster_gw, campus_run_flop, capex_usd, turbine_gw
    year: int
    low: float
    high: float
    unit: str
    source: str
    derivation: str
    checked: bool = False  # tests/test_default.py asserts the default stays inside
    reason_if_out: str = ""


def _ai(lo_all: float, hi_all: float) -> tuple[float, float]:
    return lo_all - NON_AI_TWH[1], hi_all - NON_AI_TWH[0]


_L28 = _ai(325, 580)
_IEA = _ai(176 * 1.13 + 240, 176 * 1.27 + 240)
_E24 = _ai(0.046 * US_TWH_2030, 0.091 * US_TWH_2030)
_E26 = _ai(0.09 * US_TWH_2030, 0.17 * US_TWH_2030)

PUBLISHED: tuple[Published, ...] = (
    Published("lbnl_2028", "energy_twh", 2028, *_L28, "TWh",
              "LBNL 2024 US Data Center Energy Usage Report (Dec 2024): 176 TWh in 2023, 325-580 TWh in 2028",
              "AI = all datacenters less non-AI load 150-176 TWh (held at 2023)", checked=True),
    Published("iea_2030", "energy_twh", 2030, *_IEA, "TWh",
              "IEA Energy and AI (Apr 2025): US datacenters +~240 TWh 2024->2030",
              "2024 = LBNL 2023 176 TWh x 1.13-1.27 (LBNL's 2023-28 growth rates), + 240 TWh, less non-AI 150-176 TWh",
              checked=True),
    Published("epri_2024_2030", "energy_twh", 2030, *_E24, "TWh",
              "EPRI Powering Intelligence (May 2024): datacenters 4.6-9.1% of US electricity in 2030",
              f"x {US_TWH_2030:,.0f} TWh US use in 2030, less non-AI 150-176 TWh", checked=True),
    Published("epri_2026_2030", "energy_twh", 2030, *_E26, "TWh",
              "EPRI (Feb 2026 update): datacenters 9-17% of US electricity in 2030",
              f"x {US_TWH_2030:,.0f} TWh US use in 2030, less non-AI 150-176 TWh", checked=True),
    Published("epri_epoch_2030", "facility_gw", 2030, 50.0, math.inf, "GW",
              "EPRI/Epoch AI Scaling Intelligence (Aug 2025): US AI capacity ~5 GW (2025) -> over 50 GW (2030)",
              "model: peak facility load (IT x PUE) of the GPUs in use",
              reason_if_out="the GPUs shipping in 2030 draw ~0.3-0.5 kW of peak facility power per dense-BF16 H100e and "
              "the 2030 fleet about 0.5 kW, so the compute demand.csv asks for in 2030 (the mean of Epoch's chip anchor "
              "and two power anchors, this row's among them) fits in less power; EPRI/Epoch count announced capacity "
              "at today's chips"),
    Published("epoch_campus_2030", "campus_gw", 2030, 1.0, 5.0, "GW",
              "Epoch AI, Can AI scaling continue through 2030? (Aug 2024): one campus 1-5 GW by 2030",
              "model: largest named site's peak facility load (not a state's aggregated entry)"),
    Published("epoch_distributed_2030", "supercluster_gw", 2030, 2.0, 45.0, "GW",
              "Epoch AI (Aug 2024): a run distributed across sites 2-45 GW by 2030",
              "model: largest supercluster's summed facility load"),
    Published("epoch_run_2030", "campus_run_flop", 2030, 1e28, 3e29, "FLOP",
              "Epoch AI (Aug 2024): 2e29 FLOP run feasible by 2030; a 1-5 GW campus 1e28-3e29 FLOP",
              "model: compute in use at the largest named site x 0.4 utilisation x 100 days (training.utilization, training.run_days)"),
    Published("hyperscaler_capex_2026", "capex_usd", 2026, 0.5 * 650e9, 725e9, "USD",
              "Hyperscaler capex guidance: ~410 B USD in 2025, 650-725 B USD guided for 2026",
              "model: capital committed in the year (GPUs shipped x price + assets coming online x capex); "
              "assumption: at least half of the guided capex is US AI datacenters",
              reason_if_out="the model buys capacity in the year it comes online and counts only GPUs, shells, "
              "grid hookups, transformers and turbines, not networking, land or non-AI spend"),
    Published("ge_vernova_2030", "turbine_gw", 2030, 0.0, 80.0 / 3, "GW",
              "GE Vernova backlog + slots ~80 GW at end-2025, booked through 2028 (Bloomberg; Utility Dive); about one "
              "third of its gas turbine orders are for data centers (Bloomberg Apr 2025)",
              "model: on-site gas turbine capacity (families gas_turbine and aeroderivative) entering service "
              "2026-2030, from the pipeline (units already on order, i.e. in the backlog) and from new builds, beside a "
              "third of GE Vernova's backlog",
              reason_if_out="on-site gas is cheaper than grid power at the default's gas prices, so the LP builds up to "
              "its supply and site limits (the turbine inputs belong to power_technologies.csv)"),
)
"""Every published range the default is held against (docs/validation.md, tests/test_default.py)."""


def _table(res, name: str) -> pd.DataFrame:
    return getattr(res, name)


def _summary(res) -> dict:
    s = res.summary
    return s() if callable(s) else s


def model_outputs(res, utilization: float = 0.4, run_days: float = 100.0, prices: dict | None = None,
                  capex: dict | None = None, turbines_before_mw: float | None = None) -> dict[tuple[str, int], float]:
    """The model outputs PUBLISHED compares, by (output, year), from a Results or a results folder
    read back (`prices`: USD per GPU by generation; `capex`: USD per kW/kVA by asset, for capex_usd;
    `turbines_before_mw`: turbine MW of the pipeline in service before the first year, for turbine_gw)."""
    s = _summary(res)
    out: dict[tuple[str, int], float] = {}
    for y, v in s.get("energy_twh", {}).items():
        out["energy_twh", int(y)] = float(v)
    for y, v in s.get("facility_gw", {}).items():
        out["facility_gw", int(y)] = float(v)
    p = _table(res, "power")
    sites = _table(res, "sites")
    aggregated = set(sites.loc[sites["name"].str.contains("aggregated", case=False), "site"]) if len(sites) else set()
    p = p[~p["site"].isin(aggregated)]  # a campus is one named site, not a state's aggregated entry
    for y, g in p.groupby("year"):
        out["campus_gw", int(y)] = float(g["facility_mw"].max()) / 1e3
    gp = _table(res, "gpus")
    by_site = gp[~gp["site"].isin(aggregated)].groupby(["year", "site"])["in_use_h100e"].sum()
    for y, g in by_site.groupby(level=0):
        out["campus_run_flop", int(y)] = float(g.max()) * 0.989e15 * utilization * run_days * 86400
    sp = _table(res, "supercluster_power")
    if len(sp):
        for y, g in sp.groupby("year"):
            out["supercluster_gw", int(y)] = float(g["facility_mw"].max()) / 1e3
    cap = _table(res, "capacity")
    if turbines_before_mw is not None:
        # in service in 2030 less what was in service before 2026: pipeline arrivals (the backlog) and new builds
        pt = _table(res, "power_by_technology")
        turbines = pt[pt["family"].isin(TURBINE_FAMILIES) & (pt["kind"] == "onsite") & (pt["year"] == 2030)]
        out["turbine_gw", 2030] = (float(turbines["online_mw"].sum()) - turbines_before_mw) / 1e3
    if prices is not None and capex is not None:
        for y in sorted(gp["year"].unique()):
            gpu = float((gp[gp["year"] == y]["shipped"] * gp[gp["year"] == y]["generation"].map(prices)).sum())
            c = cap[cap["year"] == y]
            unit = [capex.get((a, si), 0.0) for a, si in zip(c["asset"], c["site"], strict=False)]
            assets = float((c["new_online"] * pd.Series(unit, index=c.index) * 1e3).sum())
            out["capex_usd", int(y)] = gpu + assets
    return out


def compare(res, **kw) -> pd.DataFrame:
    """One row per published range: the model's value, the range, in range or the reason not."""
    vals = model_outputs(res, **kw)
    rows = []
    for p in PUBLISHED:
        v = vals.get((p.output, p.year))
        inside = v is not None and p.low <= v <= p.high
        rows.append({"key": p.key, "output": p.output, "year": p.year, "model": v, "low": p.low, "high": p.high,
                     "unit": p.unit, "in_range": inside, "checked": p.checked, "source": p.source,
                     "derivation": p.derivation,
                     "note": "" if inside else "not computed" if v is None else (p.reason_if_out or "outside the range")})
    return pd.DataFrame(rows)


def turbines_before_mw(scn) -> float:
    """MW of on-site gas turbines (TURBINE_FAMILIES) of `scn`'s pipeline in service before 2026."""
    fam = {k: r["family"] for k, r in scn.tech_spec.items()}
    pipe = scn.tables.get("pipeline")
    if pipe is None or not len(pipe):
        return 0.0
    rows = pipe[pipe["asset"].map(fam).isin(TURBINE_FAMILIES) & (pipe["online_year"] < 2026)]
    return float(rows["capacity"].sum())


def scenario_prices_and_capex(scn) -> tuple[dict, dict]:
    """GPU prices and asset capex per kW (kVA) by (asset, site) of `scn`, for the capex comparison."""
    from dcplan.model.coefficients import asset_capex_usd_per_unit

    prices = {g: float(r["price_usd_per_gpu"]) for g, r in scn.gpu_spec.items()}
    capex = {}
    for a in scn.site_assets:
        for s in scn.sites.index:
            try:
                capex[a, s] = asset_capex_usd_per_unit(scn, a, s)
            except KeyError:
                capex[a, s] = 0.0
            if a == "grid_interconnection":  # its campus substation, a cost category of its own
                capex[a, s] += scn.params.get("capex_usd_per_kw.substation", 0.0)
    return prices, capex


def _binding_text(res, year: int, top: int = 5) -> str:
    """The limits binding in `year` (bottleneck timeline), dearest first by the value of one more
    unit that holds (results/realised.py), with how many members bind."""
    b = res.bottlenecks
    b = b[(b["year"] == year) & b["binding"]].sort_values("realised_usd_per_unit", ascending=False).head(top)
    return "; ".join(f"`{r.family}` ({r.n_binding} of {r.n_members}, up to {r.realised_usd_per_unit:,.0f} USD per "
                     f"{r.unit} at {r.where})" for r in b.itertuples())


def _best_gpu(scn, year: int) -> tuple[str, float, float] | None:
    """The GPU generation shipping in `year` with the lowest price per H100e: (id, USD per H100e,
    kW of IT per H100e)."""
    gens = [(g, float(r["price_usd_per_gpu"]) / float(r["h100e_per_gpu"]), float(r["it_power_kw_per_gpu"]) / float(r["h100e_per_gpu"]))
            for g, r in scn.gpu_spec.items() if int(r["first_year"]) <= year <= int(r["last_year"])]
    return min(gens, key=lambda x: x[1]) if gens else None


def _unmet_in(res, year: int) -> float:
    return float(res.compute.set_index("year").at[year, "unmet_h100e"])


POWER_LIMITS_OFF = {"regions.*.headroom_mw_start": 1e6, "regions.*.interconnection_cap_mw_per_year": 1e6,
                    "sites.*.max_it_mw": 1e5, "sites.*.max_grid_mw": 1e5}
"""Overrides that lift the grid-side power limits (headroom, interconnection caps, site IT and grid
limits) for the notes' check of whether a year's unserved demand is a power shortfall."""


def notes(res, scn, resolve: bool = True, min_unmet_h100e: float = 1e5) -> list[str]:
    """Markdown paragraphs on the run behind the page: each year with unserved demand (which
    tranche, what binds, and, re-solved with the next GPU generation a year earlier, how much of
    it is left) and where the turbines added 2026-2030 come from."""
    from dcplan.plan import Plan

    out: list[str] = []
    comp = res.compute.set_index("year")
    sp = res.shadow_prices
    d1 = sp[sp["family"] == "demand_balance"].groupby("year")["shadow_price_usd_per_unit"].sum()
    for y in [int(y) for y in comp.index if comp.at[y, "unmet_h100e"] > min_unmet_h100e]:
        unmet, demand = float(comp.at[y, "unmet_h100e"]), float(comp.at[y, "demand_h100e"])
        value = float(d1.get(y, 0.0))
        tranche = min(scn.tranches, key=lambda k: abs(scn.tranche_value_usd_per_h100e_year(k, y) - value))
        worth = scn.tranche_value_usd_per_h100e_year(tranche, y)
        text = (f"**Unserved demand in {y}: {unmet / 1e6:.1f}M H100e** ({unmet / demand:.0%} of demand). Serving one more "
                f"H100e-year would cost {value:,.0f} USD in {y} (the demand balance's shadow price, summed over slices)")
        if abs(worth - value) <= 0.01 * max(worth, 1.0):
            text += (f", what the `{tranche}` tranche is worth that year ({worth:,.0f} USD per H100e-year): the plan leaves "
                     "part of that tranche unserved because serving it costs more than it is worth")
        text += f". Binding that year: {_binding_text(res, y)}."
        now, nxt = _best_gpu(scn, y), _best_gpu(scn, y + 1)
        if now and nxt and nxt[0] != now[0]:
            text += (f" The cheapest compute shipping in {y} is `{now[0]}` at {now[1]:,.0f} USD and {now[2]:.2f} kW of IT "
                     f"per H100e; `{nxt[0]}` ships from {y + 1} at {nxt[1]:,.0f} USD and {nxt[2]:.2f} kW.")
            if resolve:
                early, no_limits = (_unmet_in(Plan(scn.with_overrides(over)).solve(), y)
                                    for over in ({f"gpus.{nxt[0]}.first_year": y}, POWER_LIMITS_OFF))
                text += (f" Re-solved with `{nxt[0]}` shipping from {y} (`--set gpus.{nxt[0]}.first_year={y}`), {y}'s "
                         f"unserved demand is {early / 1e6:.1f}M H100e; with the grid-side power limits lifted instead "
                         f"(regional headroom, interconnection caps, site IT and grid limits), {no_limits / 1e6:.1f}M.")
                if early < 0.1 * unmet and no_limits > 0.5 * unmet:
                    text += (f" So the gap is the GPUs' economics in a year without a new generation: an H100e bought in "
                             f"{y} costs {now[1] / nxt[1]:.1f} times one bought a year later and is worth only the later one's "
                             "cost in the years after, so the plan leaves the lowest-valued demand unserved rather than buy "
                             "it; power is not what holds it back.")
        out.append(text)
    pipe = scn.tables.get("pipeline")
    fam = {k: r["family"] for k, r in scn.tech_spec.items()}
    pt = res.power_by_technology
    tur = pt[pt["family"].isin(TURBINE_FAMILIES) & (pt["kind"] == "onsite")]
    if len(tur) and pipe is not None:
        on_order = pipe[pipe["asset"].map(fam).isin(TURBINE_FAMILIES) & pipe["online_year"].between(2026, 2030)]
        new = max(float(tur[tur["year"] <= 2030]["new_online_mw"].sum()), 0.0)  # solver round-off is not -0.0 GW
        later = tur[(tur["year"] > 2030) & (tur["new_online_mw"] > 1.0)]
        first = int(later["year"].min()) if len(later) else None
        leads = ", ".join(f"{k} {int(scn.tech_spec[k]['lead_time_years'])}" for k in scn.tech_spec if fam[k] in TURBINE_FAMILIES)
        room = sp[(sp["family"] == "site_max") & (sp["asset"] == "max_onsite_gas_mw") & sp["binding"]]
        text = (f"**Turbines added 2026-2030**: {float(on_order['capacity'].sum()) / 1e3:.1f} GW from the pipeline (units "
                f"already on order, so part of the OEM backlog the row is compared with) and {new / 1e3:.1f} GW of new builds. "
                f"Base lead times (years, before state adders): {leads}")
        if scn.gsu_mva_per_mw:
            text += f"; their generator step-up transformers take {scn.lead_time('gsu_transformer')} (T3)"
        text += "."
        if first is not None:
            text += f" New turbines enter service from {first}."
        other = pt[~pt["family"].isin(TURBINE_FAMILIES) & (pt["kind"] == "onsite") & (pt["year"] <= 2030)]
        other = other.groupby("technology")["new_online_mw"].sum()
        other = other[other > 1.0]
        if len(other):
            text += (" The on-site power the plan adds by 2030 is instead "
                     + ", ".join(f"{k} {v / 1e3:.1f} GW (lead {int(scn.tech_spec[k]['lead_time_years'])})" for k, v in other.items())
                     + ".")
        if len(room):
            text += (f" The sites' on-site gas room (`max_onsite_gas_mw`, shared by turbines and engines) binds at "
                     f"{len(room)} sites.")
        out.append(text)
    return out


def _fmt(v: float | None, unit: str) -> str:
    if v is None or v != v:  # not computed (None, or NaN in a table)
        return "–"
    if math.isinf(v):
        return "∞"
    if unit == "FLOP":
        return f"{v:.1e}"
    if unit == "USD":
        return f"{v / 1e9:,.0f} bn"
    return f"{v:,.1f}"


def render(table: pd.DataFrame, scope: str, command: str, notes: Sequence[str] = ()) -> str:
    """docs/validation.md from a comparison table (and `notes` on the run, one paragraph each)."""
    lines = [
        "# The default beside published figures",
        "",
        f"Generated by `{command}` from a solve of the bundled default; do not edit by hand. The ranges",
        "live in `src/dcplan/analysis/validation.py` (`PUBLISHED`), which `tests/test_default.py` also reads:",
        "rows marked *checked* must stay in range.",
        "",
        f"**Scope**: {scope}",
        "",
        f"AI share of all-datacenter load: all US datacenter figures are turned into AI ranges by subtracting a "
        f"non-AI load of {NON_AI_TWH[0]:.0f}-{NON_AI_TWH[1]:.0f} TWh, held at LBNL's 2023 total (176 TWh, of which "
        "AI servers a minority; LBNL attributes the growth since 2017 largely to AI servers). At the LBNL 2028 range "
        f"this makes AI {(_L28[0] / 325):.0%}-{(_L28[1] / 580):.0%} of all US datacenter load.",
        "",
        "| figure | year | model | range | unit | in range | checked | source | how the range is derived / why not |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in table.itertuples():
        why = r.derivation + ("" if r.in_range else f". **Out of range**: {r.note}")
        lines.append(
            f"| {r.key} | {r.year} | {_fmt(r.model, r.unit)} | {_fmt(r.low, r.unit)} – {_fmt(r.high, r.unit)} | {r.unit} | "
            f"{'yes' if r.in_range else 'no'} | {'yes' if r.checked else ''} | {r.source} | {why} |"
        )
    if notes:
        lines += ["", "## Reading the run", ""]
        for n in notes:
            lines += [n, ""]
        lines.pop()
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:  # pragma: no cover - exercised by the docs build
    ap = argparse.ArgumentParser(description="Write docs/validation.md from a solve of the default (or a scenario).")
    ap.add_argument("scenario", nargs="?", default=None)
    ap.add_argument("--out", default="docs/validation.md")
    a = ap.parse_args(argv)
    from dcplan.plan import Plan
    from dcplan.scenario.load import load_scenario

    scn = load_scenario(a.scenario)
    res = Plan(scn).solve()
    prices, capex = scenario_prices_and_capex(scn)
    t = compare(res, utilization=scn.params["training.utilization"], run_days=scn.params["training.run_days"],
                prices=prices, capex=capex, turbines_before_mw=turbines_before_mw(scn))
    Path(a.out).write_text(render(t, res.scope, "python -m dcplan.analysis.validation", notes(res, scn)))
    print(t[["key", "year", "model", "low", "high", "in_range"]].to_string(index=False))


if __name__ == "__main__":  # pragma: no cover
    main()
