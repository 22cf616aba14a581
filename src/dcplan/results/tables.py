"""Results as tidy pandas DataFrames, read off a solved model."""

from __future__ import annotations

from typing import Any

import pandas as pd
from pyomo.environ import value

from dcplan.model.coefficients import HOURS_PER_YEAR, USD_PER_MUSD, unit_costs
from dcplan.model.sets import ModelSets
from dcplan.scenario.scenario import Scenario
from dcplan.scenario.schema import ASSET_UNITS


def _v(var, idx) -> float:
    return float(var[idx].value or 0.0) if idx in var else 0.0


def capacity_table(scn: Scenario, m, sets: ModelSets) -> pd.DataFrame:
    """Capacity by site, asset and year: built (decided that year), newly online, online."""
    rows = []
    for a in scn.site_assets:
        for s in sets.sites:
            for y in sets.years:
                built = _v(m.build, (a, s, y))
                new = sum(_v(m.build, (a, s, v)) for v in sets.builds_online(a, s, y) if v + sets.lead[a, s] == y)
                online = m.pipeline_online[a, s, y].value + sum(_v(m.build, (a, s, v)) for v in sets.builds_online(a, s, y))
                pipe = m.pipeline_online[a, s, y].value
                if built or online or new:
                    rows.append(
                        {
                            "site": s, "region": sets.site_region[s], "asset": a, "year": y,
                            "unit": ASSET_UNITS.get(a, "MW"), "built": built, "new_online": new,
                            "pipeline_online": pipe, "online": online, "lead_time_years": sets.lead[a, s],
                        }
                    )
    return pd.DataFrame(rows, columns=["site", "region", "asset", "year", "unit", "built", "new_online", "pipeline_online", "online", "lead_time_years"])


def gpu_table(scn: Scenario, m, sets: ModelSets) -> pd.DataFrame:
    """GPUs by site, generation and year: shipped, installed, in use (hour-weighted average over
    time slices), and their compute."""
    gp = scn.gpu_spec
    w = {t: h / HOURS_PER_YEAR for t, h in sets.slices.items()}
    rows = []
    for g, s, y in sets.use:
        inst = m.gpu_pipeline_kgpu[g, s, y].value + sum(_v(m.ship, (g, s, v)) for v in sets.ships_alive(g, s, y))
        use = sum(w[t] * _v(m.use, (g, s, y, t)) for t in w)  # hour-weighted average over slices
        rows.append(
            {
                "site": s, "region": sets.site_region[s], "generation": g, "year": y,
                "shipped": _v(m.ship, (g, s, y)) * 1e3, "installed": inst * 1e3, "in_use": use * 1e3,
                "in_use_h100e": use * 1e3 * gp[g]["h100e_per_gpu"],
                "in_use_flops_per_s": use * 1e3 * gp[g]["dense_bf16_pflops_per_gpu"] * 1e15,
                "it_mw": use * gp[g]["it_power_kw_per_gpu"],
            }
        )
    return pd.DataFrame(rows, columns=["site", "region", "generation", "year", "shipped", "installed", "in_use", "in_use_h100e", "in_use_flops_per_s", "it_mw"])


def vintage_table(scn: Scenario, m, sets: ModelSets) -> pd.DataFrame:
    """Installed GPUs by site, generation, vintage (year shipped) and year; retired vintages drop out."""
    rows = []
    for g, s, v in sets.ship:
        n = _v(m.ship, (g, s, v))
        if n:
            for y in range(v, min(scn.end_year, v + sets.gpu_life[g] - 1) + 1):
                rows.append({"site": s, "generation": g, "vintage": v, "year": y, "gpus": n * 1e3, "source": "planned"})
    for _, r in scn.tables["gpu_pipeline"].iterrows():
        g, s, v = r["generation"], r["site"], int(r["install_year"])
        for y in range(max(v, scn.start_year), min(scn.end_year, v + sets.gpu_life[g] - 1) + 1):
            rows.append({"site": s, "generation": g, "vintage": v, "year": y, "gpus": float(r["gpus"]), "source": "pipeline"})
    return pd.DataFrame(rows, columns=["site", "generation", "vintage", "year", "gpus", "source"])


def power_slice_table(scn: Scenario, m, sets: ModelSets) -> pd.DataFrame:
    """Power by site, year and time slice (MW)."""
    rows = []
    techs_at: dict[tuple[str, int], list[str]] = {}
    for k, s, y in sets.onsite_online:
        techs_at.setdefault((s, y), []).append(k)
    for s in sets.sites:
        for y in sets.years:
            for t, hours in sets.slices.items():
                it = float(value(m.it_mw[s, y, t]))
                grid = _v(m.grid, (s, y, t))
                gas = sum(_v(m.onsite, (k, s, y, t)) for k in techs_at.get((s, y), ()))
                if it or grid or gas:
                    rows.append(
                        {"site": s, "region": sets.site_region[s], "year": y, "slice": t, "hours": hours, "it_mw": it,
                         "facility_mw": it * m.pue[s].value, "grid_mw": grid, "gas_mw": gas}
                    )
    return pd.DataFrame(rows, columns=["site", "region", "year", "slice", "hours", "it_mw", "facility_mw", "grid_mw", "gas_mw"])


def power_table(scn: Scenario, m, sets: ModelSets, by_slice: pd.DataFrame) -> pd.DataFrame:
    """Power and energy by site and year: peak MW over the time slices; energy at the load factor."""
    cols = ["site", "region", "year", "it_mw", "facility_mw", "grid_mw", "gas_mw", "grid_energy_mwh", "gas_energy_mwh", "energy_mwh"]
    if by_slice.empty:
        return pd.DataFrame(columns=cols)
    lf = scn.params["operations.load_factor"]
    d = by_slice.assign(grid_energy_mwh=by_slice["grid_mw"] * by_slice["hours"] * lf, gas_energy_mwh=by_slice["gas_mw"] * by_slice["hours"] * lf)
    out = d.groupby(["site", "region", "year"], as_index=False).agg(
        it_mw=("it_mw", "max"), facility_mw=("facility_mw", "max"), grid_mw=("grid_mw", "max"), gas_mw=("gas_mw", "max"),
        grid_energy_mwh=("grid_energy_mwh", "sum"), gas_energy_mwh=("gas_energy_mwh", "sum"),
    )
    out["energy_mwh"] = out["grid_energy_mwh"] + out["gas_energy_mwh"]
    return out[cols]


POWER_BY_TECHNOLOGY_COLUMNS = [
    "technology", "family", "kind", "site", "region", "year", "built_mw", "new_online_mw", "online_mw", "dispatch_mw",
    "energy_mwh", "co2_t",
]


def power_by_technology_table(scn: Scenario, m, sets: ModelSets) -> pd.DataFrame:
    """Every power technology by site (on-site) or location (contracted: a region or a named
    plant, in `site`), and year: MW decided (`built_mw`), newly online, online (with the
    pipeline), peak dispatch over slices, energy (MWh at the load factor) and CO2 (t)."""
    lf = scn.params["operations.load_factor"]
    rows = []
    spec = scn.tech_spec

    def row(k, loc, region, y, built, new, online, disp):
        energy = sum(h * lf * disp.get(t, 0.0) for t, h in sets.slices.items())
        rows.append({
            "technology": k, "family": spec[k]["family"], "kind": spec[k]["kind"], "site": loc, "region": region, "year": y,
            "built_mw": built, "new_online_mw": new, "online_mw": online, "dispatch_mw": max(disp.values(), default=0.0),
            "energy_mwh": energy, "co2_t": energy * float(spec[k]["co2_t_per_mwh"]),
        })

    for k in sets.onsite:
        for s in sets.sites:
            for y in sets.years:
                online_v = sets.builds_online(k, s, y)
                online = m.pipeline_online[k, s, y].value + sum(_v(m.build, (k, s, v)) for v in online_v)
                built = _v(m.build, (k, s, y))
                new = sum(_v(m.build, (k, s, v)) for v in online_v if v + sets.lead[k, s] == y)
                disp = {t: _v(m.onsite, (k, s, y, t)) for t in sets.slices}
                if built or online or any(disp.values()):
                    row(k, s, sets.site_region[s], y, built, new, online, disp)
    for k in sets.contracted:
        locs = sorted({loc for kk, loc, _ in sets.contract if kk == k})
        for loc in locs:
            for y in sets.years:
                online_v = sets.contracts_online(k, loc, y)
                online = sum(_v(m.contract, (k, loc, v)) for v in online_v)
                built = _v(m.contract, (k, loc, y))
                new = sum(_v(m.contract, (k, loc, v)) for v in online_v if v + sets.contract_lead[k, loc] == y)
                disp = {t: _v(m.cdisp, (k, loc, y, t)) for t in sets.slices}
                if built or online or any(disp.values()):
                    row(k, loc, sets.location_region[loc], y, built, new, online, disp)
    return pd.DataFrame(rows, columns=POWER_BY_TECHNOLOGY_COLUMNS)


EMISSIONS_COLUMNS = ["scope", "site", "region", "year", "technology", "energy_mwh", "co2_t"]


def emissions_table(scn: Scenario, by_tech: pd.DataFrame) -> pd.DataFrame:
    """CO2 by year: one row per site (on-site generation) and per contract location
    (`scope` = 'site' / 'contract'), with per-region and national totals (`scope` = 'region' /
    'US', `site` blank). Grid power is not counted (no grid emission factors in the inputs)."""
    g = by_tech[by_tech["energy_mwh"] > 0]
    if g.empty:
        return pd.DataFrame(columns=EMISSIONS_COLUMNS)
    g = g.assign(scope=g["kind"].map({"onsite": "site", "contracted": "contract"}))
    detail = g[["scope", "site", "region", "year", "technology", "energy_mwh", "co2_t"]]
    region = detail.groupby(["region", "year"], as_index=False)[["energy_mwh", "co2_t"]].sum().assign(scope="region", site=None, technology=None)
    us = detail.groupby("year", as_index=False)[["energy_mwh", "co2_t"]].sum().assign(scope="US", site=None, region=None, technology=None)
    return pd.concat([detail, region, us], ignore_index=True)[EMISSIONS_COLUMNS]


def regional_supply_table(scn: Scenario, m, sets: ModelSets) -> pd.DataFrame:
    """Per region, year and slice: power supplied to large loads, headroom, price, imports, exports."""
    rows = []
    contracted: dict[tuple[str, int, str], float] = {}
    for k, loc, y, t in m.cdisp:
        key = (sets.location_region[loc], y, t)
        contracted[key] = contracted.get(key, 0.0) + _v(m.cdisp, (k, loc, y, t))
    for r, y, t in m.GEN:
        imports = sum(_v(m.flow, (a, y, t)) * m.arc_efficiency[a].value for a, _, b in sets.arcs if b == r)
        exports = sum(_v(m.flow, (a, y, t)) for a, a0, _ in sets.arcs if a0 == r)
        rows.append(
            {"region": r, "year": y, "slice": t, "supply_mw": _v(m.gen, (r, y, t)), "headroom_mw": m.headroom_mw[r, y, t].value,
             "contracted_mw": contracted.get((r, y, t), 0.0),
             "price_usd_per_mwh": scn.slice_price_usd_per_mwh(r, y, t), "imports_mw": imports, "exports_mw": exports}
        )
    cols = ["region", "year", "slice", "supply_mw", "headroom_mw", "contracted_mw", "price_usd_per_mwh", "imports_mw", "exports_mw"]
    return pd.DataFrame(rows, columns=cols)


def flow_table(scn: Scenario, m, sets: ModelSets) -> pd.DataFrame:
    """Transmission flows by arc, year and slice, with the capacity in service."""
    rows = []
    for a, fr, to in sets.arcs:
        c = sets.arc_corridor[a]
        for y in sets.years:
            cap = m.arc_capacity_mw[a].value + sum(_v(m.xexp, (c, v)) for v in sets.tx_expansions_online(c, y))
            for t in sets.slices:
                rows.append(
                    {"corridor": c, "from_region": fr, "to_region": to, "year": y, "slice": t, "flow_mw": _v(m.flow, (a, y, t)),
                     "delivered_mw": _v(m.flow, (a, y, t)) * m.arc_efficiency[a].value, "capacity_mw": cap}
                )
    return pd.DataFrame(rows, columns=["corridor", "from_region", "to_region", "year", "slice", "flow_mw", "delivered_mw", "capacity_mw"])


def cost_table(scn: Scenario, m, sets: ModelSets) -> pd.DataFrame:
    """Costs by category and year in USD (year-y dollars) and present value. Sums to the objective."""
    acc: dict[tuple[str, int], float] = {}
    groups: list[tuple[str, Any, list]] = [
        ("ship", m.ship, sets.ship), ("build", m.build, sets.build), ("expand", m.expand, sets.expand),
        ("gen", m.gen, list(m.gen.keys())), ("onsite", m.onsite, list(m.onsite.keys())),
        ("contract", m.contract, list(m.contract.keys())), ("cdisp", m.cdisp, list(m.cdisp.keys())),
        ("flow", m.flow, list(m.flow.keys())),
        ("xexp", m.xexp, list(m.xexp.keys())), ("unmet", m.unmet, list(m.unmet.keys())),
        ("unmet_training", m.unmet_training, list(m.unmet_training.keys())),
    ]
    for name, var, index in groups:
        for i in index:
            x = _v(var, i)
            if not x:
                continue
            for t in unit_costs(scn, sets, name, i):
                for y in t.years:
                    acc[t.category, y] = acc.get((t.category, y), 0.0) + x * t.musd_per_unit_year
    rows = [
        {"category": c, "year": y, "cost_usd": v * USD_PER_MUSD, "cost_pv_usd": v * USD_PER_MUSD * scn.discount_factor(y)}
        for (c, y), v in sorted(acc.items())
        if v != 0
    ]
    return pd.DataFrame(rows, columns=["category", "year", "cost_usd", "cost_pv_usd"])


def compute_table(scn: Scenario, m, sets: ModelSets, gpus: pd.DataFrame) -> pd.DataFrame:
    """Compute by year: demand, online (in use), installed, unmet; H100e and FLOP/s."""
    by_year = gpus.groupby("year")
    rows = []
    for y in sets.years:
        g = by_year.get_group(y) if y in by_year.groups else gpus.iloc[0:0]
        installed_h100e = float((g["installed"] * g["generation"].map(scn.gpus["h100e_per_gpu"])).sum()) if len(g) else 0.0
        rows.append(
            {
                "year": y,
                "demand_h100e": scn.demand_h100e_millions(y) * 1e6,
                "online_h100e": float(g["in_use_h100e"].sum()),
                "installed_h100e": installed_h100e,
                "unmet_h100e": sum(h / HOURS_PER_YEAR * _v(m.unmet, (y, t, k)) for t, h in sets.slices.items() for k in sets.tranches) * 1e3,
                "online_flops_per_s": float(g["in_use_flops_per_s"].sum()),
                "online_gpus": float(g["in_use"].sum()),
            }
        )
    return pd.DataFrame(rows)


def supply_chain_table(scn: Scenario, m, sets: ModelSets) -> pd.DataFrame:
    """CoWoS wafers and HBM stacks used vs available per year, with expansions online."""
    rows = []
    for y in sets.years:
        ex_c = sum(_v(m.expand, ("cowos", v)) for v in sets.expansions_online("cowos", y))
        ex_h = sum(_v(m.expand, ("hbm", v)) for v in sets.expansions_online("hbm", y))
        used_c = sum(_v(m.ship, (g, s, yy)) * m.wafers_per_gpu[g].value for g, s, yy in sets.ship if yy == y)
        used_h = sum(_v(m.ship, (g, s, yy)) * m.hbm_stacks_per_gpu[g].value for g, s, yy in sets.ship if yy == y)
        rows.append(
            {
                "year": y,
                "cowos_wafers_used": used_c * 1e3, "cowos_wafers_available": (m.cowos_supply_kwafers[y].value + ex_c) * 1e3,
                "cowos_wafers_expansion": ex_c * 1e3,
                "hbm_stacks_used": used_h * 1e3, "hbm_stacks_available": (m.hbm_supply_kstacks[y].value + ex_h) * 1e3,
                "hbm_stacks_expansion": ex_h * 1e3,
                "transformer_mva_available": m.transformer_supply_mva[y].value,
            }
        )
    return pd.DataFrame(rows)


def training_table(scn: Scenario, m, sets: ModelSets) -> pd.DataFrame:
    """The training run by year, slice and member site: compute hosted (H100e), unmet, and the
    run's share of the site's power (hosted / compute in use there x the site's IT and facility MW)."""
    tp = sets.training
    gens_at: dict[tuple[str, int], list[str]] = {}
    for g, s, y in sets.use:
        gens_at.setdefault((s, y), []).append(g)
    rows = []
    for y, members in tp.members.items():
        for t in sets.slices:
            for s in members:
                hosted = _v(m.train, (s, y, t))
                comp = sum(m.h100e_per_gpu[g].value * _v(m.use, (g, s, y, t)) for g in gens_at.get((s, y), ()))
                it = float(value(m.it_mw[s, y, t])) if comp > 0 else 0.0
                run_it = it * hosted / comp if comp > 0 else 0.0
                rows.append(
                    {"year": y, "slice": t, "supercluster": tp.cluster[y], "site": s, "region": sets.site_region[s],
                     "anchor": s == tp.anchor[y], "hosted_h100e": hosted * 1e3, "run_h100e": m.training_kh100e[y].value * 1e3,
                     "unmet_h100e": _v(m.unmet_training, (y, t)) * 1e3, "run_it_mw": run_it,
                     "run_facility_mw": run_it * m.pue[s].value}
                )
    cols = ["year", "slice", "supercluster", "site", "region", "anchor", "hosted_h100e", "run_h100e", "unmet_h100e",
            "run_it_mw", "run_facility_mw"]
    return pd.DataFrame(rows, columns=cols)


SUPERCLUSTER_PLAN_COLUMNS = ["online_shell_mw", "online_grid_mw", "online_gas_mw", "it_mw", "facility_mw", "in_use_h100e"]


def supercluster_power_table(scn: Scenario, capacity: pd.DataFrame, power: pd.DataFrame, gpus: pd.DataFrame) -> pd.DataFrame:
    """Each supercluster by year: its potential (network.supercluster_table: members, regions,
    RTT, site limits, headroom, power available, pipeline) and what the plan puts there: shell,
    grid and gas capacity online, peak IT and facility MW (summed over members' peaks) and H100e
    in use. Empty without fiber links."""
    from dcplan.network.superclusters import TABLE_COLUMNS, supercluster_table

    links = scn.tables.get("fiber_links")
    if links is None or links.empty:
        return pd.DataFrame(columns=TABLE_COLUMNS + SUPERCLUSTER_PLAN_COLUMNS)
    sc = supercluster_table(scn)
    online = capacity.pivot_table(index=["site", "year"], columns="asset", values="online", aggfunc="sum")
    site_year = pd.DataFrame(index=pd.MultiIndex.from_product([list(scn.sites.index), scn.years], names=["site", "year"]))
    site_year["online_shell_mw"] = online.get("shell", pd.Series(dtype=float))
    site_year["online_grid_mw"] = online.get("grid_interconnection", pd.Series(dtype=float))
    onsite = [k for k in scn.onsite_technologies if k in online.columns]
    site_year["online_gas_mw"] = online[onsite].sum(axis=1) if onsite else pd.Series(dtype=float)
    site_year["it_mw"] = power.set_index(["site", "year"])["it_mw"]
    site_year["facility_mw"] = power.set_index(["site", "year"])["facility_mw"]
    site_year["in_use_h100e"] = gpus.groupby(["site", "year"])["in_use_h100e"].sum()
    site_year = site_year.fillna(0.0).reset_index()
    members = sc[["supercluster", "sites"]].drop_duplicates("supercluster")
    members = members.assign(site=members["sites"].str.split(", ")).explode("site")[["supercluster", "site"]]
    planned = (
        members.merge(site_year, on="site").groupby(["supercluster", "year"], as_index=False)[SUPERCLUSTER_PLAN_COLUMNS].sum()
    )
    return sc.merge(planned, on=["supercluster", "year"], how="left").fillna({c: 0.0 for c in SUPERCLUSTER_PLAN_COLUMNS})


def training_summary(training: pd.DataFrame) -> pd.DataFrame:
    """The training table per year, read in its limiting slice (the one where least is hosted: a
    run must be hosted in every slice): `supercluster`, `run_h100e`, `limiting_slice`,
    `hosted_h100e`, `unmet_h100e`, `run_facility_mw` and `by_state` ({region: hosted H100e})."""
    rows = []
    for y, g in training.groupby("year"):
        per_slice = g.groupby("slice", sort=False)["hosted_h100e"].sum()
        worst = per_slice.idxmin()
        w = g[g["slice"] == worst]
        rows.append({
            "year": int(y), "supercluster": g["supercluster"].iloc[0], "run_h100e": float(g["run_h100e"].iloc[0]),
            "limiting_slice": str(worst), "hosted_h100e": float(per_slice.min()), "unmet_h100e": float(w["unmet_h100e"].iloc[0]),
            "run_facility_mw": float(w["run_facility_mw"].sum()),
            "by_state": {r: float(v) for r, v in w.groupby("region")["hosted_h100e"].sum().items() if v > 0},
        })
    cols = ["year", "supercluster", "run_h100e", "limiting_slice", "hosted_h100e", "unmet_h100e", "run_facility_mw", "by_state"]
    return pd.DataFrame(rows, columns=cols)
