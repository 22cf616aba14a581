"""Numbers the LP uses, computed from a scenario in LP units.

LP units: GPUs in thousands (kGPU), compute in thousand H100e (kH100e), CoWoS in thousand
wafers, HBM in thousand stacks, power in MW, transformers in MVA, money in million USD ($M).
One function, :func:`param_values`, computes every mutable parameter; the model is built from
it and sweeps re-solve by recomputing it for a new scenario (see solve/highs.py).
Cost terms (:func:`unit_costs`) are shared with results/tables.py (cost_table) so the objective and the
reported cost breakdown can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dcplan.model.sets import EXPANSIONS, SITE_MAX_COLUMN, ModelSets
from dcplan.model.tracking import changed_params, params_view, table_reads
from dcplan.scenario.scenario import H100_REFERENCE_PFLOPS, Scenario
from dcplan.scenario.schema import TRANSFORMER_ASSETS

HOURS_PER_YEAR = 8760.0
USD_PER_MUSD = 1e6


@dataclass(frozen=True)
class UnitCost:
    """Cost of one LP unit of a variable: $M per payment year, paid in `years`."""

    category: str
    musd_per_unit_year: float
    years: tuple[int, ...]


def alive_years(start: int, life: int, end: int) -> range:
    """Years in which something online from `start` with `life` years is in service (≤ end)."""
    return range(start, min(end, start + life - 1) + 1)


def asset_capex_usd_per_unit(scn: Scenario, asset: str, site: str) -> float:
    """Capex of one kW (shell, grid, turbine) or one kVA (transformers, GSUs) at `site`, USD
    (a grid interconnection's substation is a cost term of its own: `unit_costs`)."""
    p = scn.params
    if asset == "shell":
        return p["capex_usd_per_kw.shell"]
    if asset == "grid_interconnection":
        return float(scn.region_spec[scn.site_region[site]]["interconnection_capex_usd_per_kw"])
    if asset in TRANSFORMER_ASSETS:
        return p[f"capex_usd_per_kva.{asset}"]
    if asset in scn.tech_spec:
        return float(scn.tech_spec[asset]["capex_usd_per_kw"])
    raise KeyError(asset)


def _gas_price(scn: Scenario, region: str) -> float:
    return float(scn.region_spec[region]["gas_price_usd_per_mmbtu"])


def tech_energy_usd_per_mwh(scn: Scenario, tech: str, region: str) -> float:
    """Variable cost of one MWh from `tech` in `region`: fuel (heat rate x gas price) + VOM."""
    r = scn.tech_spec[tech]
    return float(r["heat_rate_mmbtu_per_mwh"]) * _gas_price(scn, region) + float(r["variable_om_usd_per_mwh"])


def contract_mwh_per_mw_year(scn: Scenario, sets: ModelSets, tech: str) -> float:
    """MWh one MW of a contracted technology produces in a year (sum of slice hours x availability):
    what a take-or-pay contract pays for."""
    return sum(h * scn.tech_availability(tech, t) for t, h in sets.slices.items())


def unit_costs(scn: Scenario, sets: ModelSets, var: str, idx: tuple) -> list[UnitCost]:
    """Cost terms of one LP unit of variable `var` at index `idx`."""
    p, end = scn.params, scn.end_year
    if var in ("ship", "early_ship"):
        g, s, y = idx
        gp = scn.gpu_spec[g]
        life = int(gp["lifetime_years"])
        ann = gp["price_usd_per_gpu"] * 1e3 / USD_PER_MUSD * scn.crf(life)
        return [UnitCost("gpu_capex", ann, tuple(alive_years(y, life, end)))]
    if var in ("build", "early"):
        a, s, y = idx
        t = y + sets.lead[a, s] - (1 if var == "early" else 0)
        life = sets.asset_life[a]
        capex = asset_capex_usd_per_unit(scn, a, s) * 1e3 / USD_PER_MUSD
        tech = scn.tech_spec.get(a)
        cat = "power" if tech is not None else a
        out = [UnitCost(f"{cat}_capex", capex * scn.crf(life), tuple(alive_years(t, life, end)))]
        fom = float(tech["fixed_om_usd_per_kw_year"]) if tech is not None else p.get(f"fixed_om_usd_per_kw_year.{a}")
        if fom is not None:
            out.append(UnitCost(f"{cat}_fixed_om", fom * 1e3 / USD_PER_MUSD, tuple(alive_years(t, life, end))))
        sub = p.get("capex_usd_per_kw.substation", 0.0) if a == "grid_interconnection" else 0.0
        if sub:  # the campus HV substation a grid tie needs, beside its transformers (eq. K1)
            out.append(UnitCost("substation_capex", sub * 1e3 / USD_PER_MUSD * scn.crf(life), tuple(alive_years(t, life, end))))
        return out
    if var == "contract":
        k, loc, y = idx
        t0 = y + sets.contract_lead[k, loc]
        life, r = sets.asset_life[k], scn.tech_spec[k]
        years = tuple(alive_years(t0, life, end))
        out = []
        if r["capex_usd_per_kw"]:
            out.append(UnitCost("power_capex", float(r["capex_usd_per_kw"]) * 1e3 / USD_PER_MUSD * scn.crf(life), years))
        if r["fixed_om_usd_per_kw_year"]:
            out.append(UnitCost("power_fixed_om", float(r["fixed_om_usd_per_kw_year"]) * 1e3 / USD_PER_MUSD, years))
        if r["contract_price_usd_per_mwh"]:
            usd = float(r["contract_price_usd_per_mwh"]) * contract_mwh_per_mw_year(scn, sets, k)
            out.append(UnitCost("power_contracts", usd / USD_PER_MUSD, years))
        return out
    if var in ("onsite", "cdisp"):
        k, loc, y, t = idx
        region = sets.site_region[loc] if var == "onsite" else sets.location_region[loc]
        mwh = sets.slices[t] * p["operations.load_factor"]
        out = [UnitCost("power_fuel_and_vom", mwh * tech_energy_usd_per_mwh(scn, k, region) / USD_PER_MUSD, (y,))]
        co2 = p.get("co2.price_usd_per_t", 0.0) * float(scn.tech_spec[k]["co2_t_per_mwh"])
        if co2:
            out.append(UnitCost("co2_price", mwh * co2 / USD_PER_MUSD, (y,)))
        return out
    if var == "expand":
        k, y = idx
        a = EXPANSIONS[k]
        t = y + sets.expand_lead[k]
        life = int(p[f"lifetime_years.{a}"])
        key = "capex_usd_per_wafer_year.cowos_expansion" if k == "cowos" else "capex_usd_per_stack_year.hbm_expansion"
        return [UnitCost(f"{a}_capex", p[key] * 1e3 / USD_PER_MUSD * scn.crf(life), tuple(alive_years(t, life, end)))]
    if var == "gen":
        r, y, t = idx
        hours = sets.slices[t] * p["operations.load_factor"]
        return [UnitCost("grid_energy", hours * scn.slice_price_usd_per_mwh(r, y, t) / USD_PER_MUSD, (y,))]
    if var == "flow":
        arc, y, t = idx
        wheel = _corridor(scn, sets)[sets.arc_corridor[arc]]["wheeling_usd_per_mwh"]
        return [UnitCost("transmission_wheeling", sets.slices[t] * p["operations.load_factor"] * wheel / USD_PER_MUSD, (y,))]
    if var == "xexp":
        c, y = idx
        t0 = y + sets.tx_lead[c]
        life = sets.asset_life["transmission"]
        capex = _corridor(scn, sets)[c]["expansion_capex_usd_per_mw"] / USD_PER_MUSD
        return [UnitCost("transmission_capex", capex * scn.crf(life), tuple(alive_years(t0, life, end)))]
    if var == "unmet":
        y, t, k = idx
        value = scn.tranche_value_usd_per_h100e_year(k, y)
        return [UnitCost("unmet_demand_penalty", sets.slices[t] / HOURS_PER_YEAR * value * 1e3 / USD_PER_MUSD, (y,))]
    if var == "unmet_training":
        y, t = idx
        penalty = training_penalty_usd_per_h100e_year(scn, y)
        return [UnitCost("unmet_training_penalty", sets.slices[t] / HOURS_PER_YEAR * penalty * 1e3 / USD_PER_MUSD, (y,))]
    raise KeyError(var)


def training_penalty_usd_per_h100e_year(scn: Scenario, year: int) -> float:
    """Cost of one H100e-year of the training run not hosted in its supercluster:
    `training.unmet_penalty_usd_per_h100e_year`, or when that is -1 (the default) the value of the
    most valuable demand tranche in `year`."""
    own = scn.params.get("training.unmet_penalty_usd_per_h100e_year", -1)
    if own >= 0:
        return own
    return max(scn.tranche_value_usd_per_h100e_year(k, year) for k in scn.tranches)


def _corridor(scn: Scenario, sets: ModelSets) -> dict[str, dict]:
    """Corridor attributes by corridor id (one entry per corridor, from its forward row)."""
    from dcplan.network.power import scenario_corridors

    from dcplan.network.power import CORRIDOR_TABLES

    return scn.derived(
        "corridor_by_id", lambda: {r["corridor"]: r for r in scenario_corridors(scn) if r["direction"] == "forward"},
        tables=CORRIDOR_TABLES,
    )


def pv_cost(scn: Scenario, terms: list[UnitCost]) -> float:
    """Present value ($M, discounted to the first year) of the cost terms of one LP unit."""
    return sum(t.musd_per_unit_year * sum(scn.discount_factor(y) for y in t.years) for t in terms)


def param_values(scn: Scenario, sets: ModelSets) -> dict[str, dict]:
    """Every mutable parameter of the LP, by parameter name and index, in LP units (the union of
    the :data:`GROUPS`; :class:`ParamCache` recomputes only the groups a variant touches)."""
    out: dict[str, dict] = {}
    for group in GROUPS:
        out.update(group(scn, sets))
    return out


def _demand_supply(scn: Scenario, sets: ModelSets) -> dict:
    p, sup, years = scn.params, scn.supply, sets.years
    v: dict[str, Any] = {}
    v["demand_kh100e"] = {y: scn.demand_h100e_millions(y) * 1e3 for y in years}
    v["tranche_kh100e"] = {(y, k): scn.tranches[k][0] * v["demand_kh100e"][y] for y in years for k in sets.tranches}
    col = {c: sup[c].to_dict() for c in ("cowos_wafers_per_year", "hbm_stacks_per_year", "transformer_mva_per_year")}
    v["cowos_supply_kwafers"] = {y: p["planner_share.cowos"] * col["cowos_wafers_per_year"][y] / 1e3 for y in years}
    v["cowos_allocation_share"] = {g: scn.cowos_allocation[g] for g in sets.cowos_allocated}
    v["hbm_supply_kstacks"] = {y: p["planner_share.hbm"] * col["hbm_stacks_per_year"][y] / 1e3 for y in years}
    v["transformer_supply_mva"] = {y: p["planner_share.transformer"] * col["transformer_mva_per_year"][y] for y in years}
    return v


def _headroom(scn: Scenario, sets: ModelSets) -> dict:
    T = list(sets.slices)
    return {"headroom_mw": {(r, y, t): scn.slice_headroom_mw(r, y, t) for r in sets.regions for y in sets.years for t in T}}


def _sites(scn: Scenario, sets: ModelSets) -> dict:
    sites, years, rspec, gs = scn.sites, sets.years, scn.region_spec, scn.gpu_spec
    v: dict[str, Any] = {}
    v["interconnection_cap_mw"] = {r: float(rspec[r]["interconnection_cap_mw_per_year"]) for r in sets.regions}
    limit = {c: sites[c].to_dict() for c in {*SITE_MAX_COLUMN.values(), *sets.site_limit.values(), "pue"}}
    v["site_room_mw"] = {
        (a, s): float(limit[col][s]) - scn.pipeline_capacity(s, a, 10**6) for a, col in SITE_MAX_COLUMN.items() for s in sets.sites
    }
    for col in sorted(set(sets.site_limit.values())):  # on-site technologies sharing a sites.csv limit
        sharing = [k for k, c in sets.site_limit.items() if c == col]
        for s in sets.sites:
            v["site_room_mw"][col, s] = float(limit[col][s]) - sum(scn.pipeline_capacity(s, k, 10**6) for k in sharing)
    v["pipeline_online"] = {(a, s, y): scn.pipeline_capacity(s, a, y) for a in scn.site_assets for s in sets.sites for y in years}
    gp = scn.tables["gpu_pipeline"]
    pipe = {k: 0.0 for k in sets.use}
    for g, s, v0, n in zip(gp["generation"], gp["site"], gp["install_year"], gp["gpus"], strict=False):
        for y in alive_years(int(v0), sets.gpu_life[g], scn.end_year):
            if (g, s, y) in pipe:
                pipe[g, s, y] += n / 1e3
    v["gpu_pipeline_kgpu"] = pipe
    v["it_mw_per_kgpu"] = {g: float(gs[g]["it_power_kw_per_gpu"]) for g in sets.gens}
    v["h100e_per_gpu"] = {g: float(gs[g]["h100e_per_gpu"]) for g in sets.gens}
    v["hbm_stacks_per_gpu"] = {g: float(gs[g]["hbm_stacks_per_gpu"]) for g in sets.gens}
    v["wafers_per_gpu"] = {g: 1.0 / float(gs[g]["packages_per_cowos_wafer"]) for g in sets.gens}
    v["pue"] = {s: float(limit["pue"][s]) for s in sets.sites}
    return v


def _power(scn: Scenario, sets: ModelSets) -> dict:
    p = scn.params
    v: dict[str, Any] = {}
    v["mva_per_mw"] = p["transformer.mva_per_mw"]
    v["gsu_mva_per_mw"] = {k: scn.gsu_mva_per_mw[k] for k in sets.gsu_techs}
    techs = sets.onsite + sets.contracted
    v["tech_availability"] = {(k, t): scn.tech_availability(k, t) for k in techs for t in sets.slices}
    v["tech_capacity_credit"] = {(k, t): scn.tech_capacity_credit(k, t) for k in techs for t in sets.slices}
    caps = scn.delivery_caps_mw
    v["delivery_cap_mw"] = {i: caps[i] for i in sets.delivery_caps}
    v["plant_capacity_mw"] = {(k, pl): float(scn.plants.at[pl, "capacity_mw"]) for k, pl in sets.plant_locations}
    v["islanded_reserve_margin"] = p.get("power.islanded_reserve_margin", 0.0)
    lf = p["operations.load_factor"]
    v["co2_kt_per_mw"] = {(k, t): h * lf * float(scn.tech_spec[k]["co2_t_per_mwh"]) / 1e3 for k in techs for t, h in sets.slices.items()}
    v["co2_cap_kt"] = {(sc, y): scn.co2_caps_mt[sc] * 1e3 for sc, y in sets.co2_caps}
    return v


class _PV:
    """Present value ($M) of one LP unit of a variable, from :func:`unit_costs` (the one place
    cost terms are defined), memoised on a key that holds everything the terms depend on; the
    discount factors are computed once."""

    def __init__(self, scn: Scenario, sets: ModelSets):
        self.scn, self.sets = scn, sets
        self.df = {y: scn.discount_factor(y) for y in range(scn.start_year, scn.end_year + 1)}
        self._memo: dict[tuple, float] = {}

    def __call__(self, var: str, idx: tuple, key: tuple | None = None) -> float:
        """PV of `var` at `idx`; `key` (default: var and idx) identifies the cost: indices with
        equal keys cost the same."""
        k = (var, *idx) if key is None else (var, *key)
        hit = self._memo.get(k)
        if hit is None:
            df = self.df
            hit = self._memo[k] = sum(t.musd_per_unit_year * sum(df[y] for y in t.years) for t in unit_costs(self.scn, self.sets, var, idx))
        return hit


def _capex_costs(scn: Scenario, sets: ModelSets) -> dict:
    """Objective coefficients of investments (present value $M per LP unit): GPUs, site assets,
    expansions, contracts, transmission. A GPU shipment costs the same at every site; a site
    asset depends on the site through its lead time and (grid) its region."""
    pv = _PV(scn, sets)

    def site_key(a: str, s: str, y: int) -> tuple:
        return (a, sets.lead[a, s], sets.site_region[s] if a == "grid_interconnection" else "", y)

    return {
        "cost_ship": {i: pv("ship", i, (i[0], i[2])) for i in sets.ship},
        "cost_build": {i: pv("build", i, site_key(*i)) for i in sets.build},
        "cost_early": {i: pv("early", i, site_key(*i)) for i in sets.early},
        "cost_early_ship": {i: pv("early_ship", i, (i[0], i[2])) for i in sets.early_ship},
        "cost_expand": {i: pv("expand", i) for i in sets.expand},
        "cost_contract": {i: pv("contract", i) for i in sets.contract},
        "cost_xexp": {i: pv("xexp", i) for i in sets.tx_expand},
    }


def _grid_energy_costs(scn: Scenario, sets: ModelSets) -> dict:
    """Objective coefficients of grid energy (present value $M per MW in a slice): purchases by
    region and wheeling by corridor (a grid-price change recomputes these and not the dispatch)."""
    pv, years, T = _PV(scn, sets), sets.years, list(sets.slices)
    corridor = sets.arc_corridor
    return {
        "cost_gen": {(r, y, t): pv("gen", (r, y, t)) for r in sets.regions for y in years for t in T},
        "cost_flow": {(a, y, t): pv("flow", (a, y, t), (corridor[a], y, t)) for a, _, _ in sets.arcs for y in years for t in T},
    }


def _dispatch_costs(scn: Scenario, sets: ModelSets) -> dict:
    """Objective coefficients of dispatching on-site and contracted technologies (present value
    $M per MW in a slice: fuel, VOM and CO2 price, which depend on a site only through its region)."""
    pv, T = _PV(scn, sets), list(sets.slices)
    return {
        "cost_onsite": {
            (k, s, y, t): pv("onsite", (k, s, y, t), (k, sets.site_region[s], y, t))
            for k, s, y in sets.onsite_online if k in sets.dispatchable for t in T
        },
        "cost_cdisp": {
            (k, loc, y, t): pv("cdisp", (k, loc, y, t), (k, sets.location_region[loc], y, t))
            for k, loc, y in sets.contract_online if k in sets.dispatchable for t in T
        },
    }


def _unmet_costs(scn: Scenario, sets: ModelSets) -> dict:
    """Objective coefficients of demand left unserved (present value $M per kH100e in a slice)."""
    pv, years, T = _PV(scn, sets), sets.years, list(sets.slices)
    return {
        "cost_unmet": {(y, t, k): pv("unmet", (y, t, k)) for y in years for t in T for k in sets.tranches},
        "cost_unmet_training": {(y, t): pv("unmet_training", (y, t)) for y in sets.training.members for t in T},
    }


def _network(scn: Scenario, sets: ModelSets) -> dict:
    from dcplan.network.power import scenario_corridors

    p = scn.params
    corr = _corridor(scn, sets)
    ct = {f"{r['from_region']}->{r['to_region']}": r for r in scenario_corridors(scn)}
    tp = sets.training
    tr = scn.tables.get("training")
    run = {int(y): float(x) * 1e3 for y, x in zip(tr["year"], tr["run_h100e_millions"], strict=False)} if tr is not None else {}
    return {
        "arc_capacity_mw": {a: float(ct[a]["capacity_mw"]) for a, _, _ in sets.arcs},
        "arc_efficiency": {a: 1.0 - float(ct[a]["loss_fraction"]) for a, _, _ in sets.arcs},
        "training_kh100e": {y: run.get(y, 0.0) for y in tp.members},
        "fiber_bandwidth_tbps": dict(tp.bandwidth_tbps),
        # traffic of 1 kH100e of training away from the anchor, Tbps: bits/FLOP x FLOP/s
        "tbps_per_kh100e": p["network.training_bits_per_flop"] * 1e3 * H100_REFERENCE_PFLOPS * 1e15 / 1e12,
        "tx_max_expansion_mw": {c: float(corr[c]["max_expansion_mw"]) for c in {c for c, _ in sets.tx_expand}},
    }


GROUPS = (
    _demand_supply, _headroom, _sites, _power, _capex_costs, _grid_energy_costs, _dispatch_costs, _unmet_costs, _network,
)
"""The parameter groups param_values is made of; each reads only the scenario and the sets."""


class ParamCache:
    """:func:`param_values` for a stream of variants, recomputing only the groups a variant can
    touch: the first time a group is computed for a structure, the parameters and tables it
    reads are recorded (model/tracking.py); a later variant of the same structure reuses every
    group that reads none of the parameters it changed and none of the tables it replaced
    (``with_overrides`` shares unchanged tables). Values equal :func:`param_values`' exactly."""

    def __init__(self) -> None:
        self._scn: Scenario | None = None
        self._key: str | None = None
        self._parts: dict[str, dict] = {}
        self._deps: dict[str, frozenset[str]] = {}
        self._tables: dict[str, frozenset[str]] = {}  # tables each group read (learnt once per structure)

    def values(self, scn: Scenario, sets: ModelSets, key: str | None = None) -> dict[str, dict]:
        """param_values(scn, sets); `key` is ``sets.structure_key()`` when already known."""
        key = key or sets.structure_key()
        changed = changed_params(scn, self._scn) if self._scn is not None and self._key == key else None
        if self._key != key:
            self._tables = {}
        out: dict[str, dict] = {}
        for group in GROUPS:
            name = group.__name__
            if changed is None or name not in self._parts or self._deps[name] & changed:
                learn = name not in self._tables
                view, rec = params_view(scn, tables=learn)
                self._parts[name] = group(view, sets)
                if learn:
                    self._tables[name] = table_reads(rec.read)
                self._deps[name] = frozenset(rec.read) | self._tables[name]
            out.update(self._parts[name])
        self._scn, self._key = scn, key
        return out
