"""Sparse index sets of the LP, computed once from a scenario.

No variable exists for a GPU generation outside its shipping years, for a GPU after it has
retired, for a build whose lead time lands past the horizon, or for an asset a site cannot
hold (its ``max_*`` is already used up by the pipeline).
"""

from __future__ import annotations

import hashlib
import pickle
from dataclasses import dataclass, field, fields

from dcplan.model.training_sets import TrainingPlan
from dcplan.scenario.scenario import Scenario
from dcplan.scenario.schema import GSU_ASSET

SITE_MAX_COLUMN = {"shell": "max_it_mw", "grid_interconnection": "max_grid_mw"}
EXPANSIONS = {"cowos": "cowos_expansion", "hbm": "hbm_expansion"}
VALUE_FIELDS = frozenset({"bandwidth_tbps"})
"""Fields of the sets (or of their TrainingPlan) that only feed parameter values, not structure."""


@dataclass
class ModelSets:
    """Index sets and lookup tables shared by the constraint builders."""

    years: list[int]
    sites: list[str]
    regions: list[str]
    gens: list[str]
    site_region: dict[str, str]
    lead: dict[tuple[str, str], int]  # (asset, site) -> lead time, years
    expand_lead: dict[str, int]  # "cowos" / "hbm" -> lead time, years
    gpu_life: dict[str, int]
    asset_life: dict[str, int]  # site assets and expansions, years
    ship: list[tuple[str, str, int]] = field(default_factory=list)  # (g, s, y) shipped in y
    use: list[tuple[str, str, int]] = field(default_factory=list)  # (g, s, y) installed in y
    build: list[tuple[str, str, int]] = field(default_factory=list)  # (asset, s, decision y)
    expand: list[tuple[str, int]] = field(default_factory=list)  # (kind, decision y)
    site_assets: list[tuple[str, str]] = field(default_factory=list)  # (asset, s) buildable
    early: list[tuple[str, str, int]] = field(default_factory=list)  # (asset, s, decision y), online 1 yr early
    early_ship: list[tuple[str, str, int]] = field(default_factory=list)  # (g, s, first_g - 1)
    slices: dict[str, float] = field(default_factory=lambda: {"year": 8760.0})  # slice -> hours
    arcs: list[tuple[str, str, str]] = field(default_factory=list)  # (arc id, from region, to region)
    arc_corridor: dict[str, str] = field(default_factory=dict)
    tx_lead: dict[str, int] = field(default_factory=dict)  # corridor -> expansion lead time
    tx_expand: list[tuple[str, int]] = field(default_factory=list)  # (corridor, decision y)
    training: TrainingPlan = field(default_factory=TrainingPlan)  # the scenario's training runs (R1-R3)
    hard_target: bool = False  # demand.hard_target: no unmet demand allowed
    tranches: list[str] = field(default_factory=lambda: ["all"])  # value-of-compute tranches (D2)
    cowos_allocated: list[str] = field(default_factory=list)  # generations with a CoWoS allocation (C3)
    must_run: list[tuple[str, str, int]] = field(default_factory=list)  # (g, s, y) pipeline GPUs that must run
    # power technologies (docs/formulation.md, "Power technologies")
    onsite: list[str] = field(default_factory=list)  # on-site technologies (site assets, in `build`)
    contracted: list[str] = field(default_factory=list)  # contracted technologies
    tech_family: dict[str, str] = field(default_factory=dict)  # technology -> delivery family
    site_limit: dict[str, str] = field(default_factory=dict)  # on-site technology -> sites.csv limit column
    contract: list[tuple[str, str, int]] = field(default_factory=list)  # (technology, location, decision y)
    contract_lead: dict[tuple[str, str], int] = field(default_factory=dict)  # (technology, location) -> lead time
    location_region: dict[str, str] = field(default_factory=dict)  # contract location (plant or region) -> region
    plant_locations: list[tuple[str, str]] = field(default_factory=list)  # (technology, plant) with a MW limit
    delivery_caps: list[tuple[str, int]] = field(default_factory=list)  # (family, arrival year) capped
    islanded: list[tuple[str, int]] = field(default_factory=list)  # (site, y) with load possible and no grid tie
    co2_caps: list[tuple[str, int]] = field(default_factory=list)  # (scope 'US' or region, y)
    onsite_online: list[tuple[str, str, int]] = field(default_factory=list)  # (technology, s, y) with capacity possible
    dispatchable: list[str] = field(default_factory=list)  # technologies available in some slice (others: firm capacity only)
    contract_online: list[tuple[str, str, int]] = field(default_factory=list)  # (technology, location, y) delivering
    grid_cols: list[tuple[str, int]] = field(default_factory=list)  # (s, y) that can draw grid power (eq. P1-P2)
    gsu_techs: list[str] = field(default_factory=list)  # on-site technologies that need GSUs (eq. T3)

    def online_year(self, asset: str, site: str, decision_year: int) -> int:
        return decision_year + self.lead[asset, site]

    def builds_online(self, asset: str, site: str, year: int) -> list[int]:
        """Decision years of builds of `asset` at `site` that are in service in `year`."""
        L, life = self.lead[asset, site], self.asset_life[asset]
        return [v for v in self._build_years.get((asset, site), ()) if v + L <= year <= v + L + life - 1]

    def early_online(self, asset: str, site: str, year: int) -> list[int]:
        """Decision years of fixed-at-zero 'one year earlier' builds in service in `year`."""
        L, life = self.lead[asset, site] - 1, self.asset_life[asset]
        return [v for v in self._early_years.get((asset, site), ()) if v + L <= year <= v + L + life - 1]

    def early_ships_alive(self, gen: str, site: str, year: int) -> list[int]:
        """Vintages of fixed-at-zero 'available one year earlier' GPU shipments alive in `year`."""
        life = self.gpu_life[gen]
        return [v for v in self._early_ship_years.get((gen, site), ()) if v <= year <= v + life - 1]

    def tx_expansions_online(self, corridor: str, year: int) -> list[int]:
        """Decision years of transmission expansions of `corridor` in service in `year`."""
        L, life = self.tx_lead[corridor], self.asset_life["transmission"]
        return [v for c, v in self.tx_expand if c == corridor and v + L <= year <= v + L + life - 1]

    def expansions_online(self, kind: str, year: int) -> list[int]:
        """Decision years of CoWoS/HBM expansions in service in `year`."""
        L, life = self.expand_lead[kind], self.asset_life[EXPANSIONS[kind]]
        return [v for k, v in self.expand if k == kind and v + L <= year <= v + L + life - 1]

    def ships_alive(self, gen: str, site: str, year: int) -> list[int]:
        """Vintages of `gen` shipped to `site` that are still in service in `year`."""
        life = self.gpu_life[gen]
        return [v for v in self._ship_years.get((gen, site), ()) if v <= year <= v + life - 1]

    def contracts_online(self, tech: str, loc: str, year: int) -> list[int]:
        """Decision years of contracts for `tech` at `loc` delivering in `year`."""
        L, life = self.contract_lead[tech, loc], self.asset_life[tech]
        return [v for v in self._contract_years.get((tech, loc), ()) if v + L <= year <= v + L + life - 1]

    def index(self) -> None:
        """Build the lookup maps behind builds_online / ships_alive."""
        self._contract_years: dict[tuple[str, str], list[int]] = {}
        for k, loc, y in self.contract:
            self._contract_years.setdefault((k, loc), []).append(y)
        self._build_years: dict[tuple[str, str], list[int]] = {}
        for a, s, y in self.build:
            self._build_years.setdefault((a, s), []).append(y)
        self._ship_years: dict[tuple[str, str], list[int]] = {}
        for g, s, y in self.ship:
            self._ship_years.setdefault((g, s), []).append(y)
        self._early_years: dict[tuple[str, str], list[int]] = {}
        for a, s, y in self.early:
            self._early_years.setdefault((a, s), []).append(y)
        self._early_ship_years: dict[tuple[str, str], list[int]] = {}
        for g, s, y in self.early_ship:
            self._early_ship_years.setdefault((g, s), []).append(y)
        self._grid_cols = set(self.grid_cols)

    def structure_key(self) -> str:
        """A hash of every field of the sets: the LP's rows, columns and nonzero pattern are a
        function of these fields alone (constraint builders read structure from the sets, never
        from parameter values), so equal keys allow an in-place parameter update and any other
        change rebuilds. Fields named in :data:`VALUE_FIELDS` feed parameters only and are left out.
        """
        parts = [(f.name, getattr(self, f.name)) for f in fields(self) if f.name not in VALUE_FIELDS]
        tp = self.training
        parts.append(("training", [(f.name, getattr(tp, f.name)) for f in fields(tp) if f.name not in VALUE_FIELDS]))
        return hashlib.sha256(pickle.dumps(parts, protocol=4)).hexdigest()

    def signature(self) -> str:
        """Alias of :meth:`structure_key` (kept for callers of the old name)."""
        return self.structure_key()

    def can_have(self, asset: str, site: str, year: int) -> bool:
        """True if a grid column (``asset`` = ``grid_interconnection``) exists at `site` in `year`:
        pipeline capacity online then, or a build that can be."""
        if asset != "grid_interconnection":
            raise KeyError(asset)
        return (site, year) in self._grid_cols


def build_sets_tracked(scn: Scenario) -> tuple[ModelSets, frozenset[str]]:
    """build_sets(scn) and the names of the parameters and tables (``table:<name>``) it read
    (see model/tracking.py): a variant that changes none of them has the same sets."""
    sets, reads, _ = sets_and_key(scn)
    return sets, reads


_LAST: list = []
"""The last scenario `sets_and_key` computed, and what it computed (one entry: a sweep worker asks
for a scenario's structure key to pick its Plan, and that Plan's re-solve then needs its sets)."""


def sets_and_key(scn: Scenario) -> tuple[ModelSets, frozenset[str], str]:
    """(build_sets(scn), the names it read as for build_sets_tracked, ``structure_key()``), computed
    once for the same Scenario object asked twice in a row (scenarios are immutable)."""
    from dcplan.model.tracking import params_view

    if _LAST and _LAST[0] is scn:
        return _LAST[1]
    view, rec = params_view(scn, tables=True)
    sets = build_sets(view)
    out = (sets, frozenset(rec.read), sets.structure_key())
    _LAST[:] = [scn, out]
    return out


def build_sets(scn: Scenario) -> ModelSets:
    """Compute the sparse index sets of scenario `scn`."""
    years = scn.years
    start, end = scn.start_year, scn.end_year
    sites_df = scn.sites
    gpus = scn.gpus
    site_region = {s: sites_df.loc[s, "region"] for s in sites_df.index}
    site_assets = scn.site_assets
    lead = {(a, s): scn.lead_time(a, site_region[s]) for a in site_assets for s in sites_df.index}
    sets = ModelSets(
        years=years,
        sites=list(sites_df.index),
        regions=list(scn.regions.index),
        gens=list(gpus.index),
        site_region=site_region,
        lead=lead,
        expand_lead={k: scn.lead_time(a) for k, a in EXPANSIONS.items()},
        gpu_life={g: int(gpus.loc[g, "lifetime_years"]) for g in gpus.index},
        asset_life={a: scn.asset_lifetime(a) for a in (*site_assets, *EXPANSIONS.values(), *scn.contracted_technologies)},
    )
    techs = scn.tech_spec
    sets.onsite, sets.contracted = list(scn.onsite_technologies), list(scn.contracted_technologies)
    sets.tech_family = {k: r["family"] for k, r in techs.items()}
    sets.site_limit = {k: r["site_limit"] for k, r in techs.items() if r["kind"] == "onsite" and isinstance(r["site_limit"], str)}
    sets.gsu_techs = list(scn.gsu_mva_per_mw)
    # GPUs shipped: generation available, within horizon
    for g in gpus.index:
        lo, hi = max(start, int(gpus.loc[g, "first_year"])), min(end, int(gpus.loc[g, "last_year"]))
        for s in sets.sites:
            sets.ship += [(g, s, y) for y in range(lo, hi + 1)]
    # 'available one year earlier' shipments (fixed at 0; their reduced cost is the value of
    # a generation arriving a year sooner)
    for g in gpus.index:
        v = int(gpus.loc[g, "first_year"]) - 1
        if start <= v <= min(end, int(gpus.loc[g, "last_year"])):
            sets.early_ship += [(g, s, v) for s in sets.sites]
    # GPUs installed: any alive vintage from shipments, early shipments or the GPU pipeline
    alive: set[tuple[str, str, int]] = set()
    for g, s, v in sets.ship + sets.early_ship:
        alive.update((g, s, y) for y in range(v, min(end, v + sets.gpu_life[g] - 1) + 1))
    gp = scn.tables["gpu_pipeline"]
    for _, r in gp.iterrows():
        g, s, v = r["generation"], r["site"], int(r["install_year"])
        if r["gpus"] > 0:
            alive.update((g, s, y) for y in range(max(v, start), min(end, v + sets.gpu_life[g] - 1) + 1))
    gen_pos = {g: i for i, g in enumerate(sets.gens)}  # sort keys: generation, then site order
    site_pos = {s: i for i, s in enumerate(sets.sites)}
    sets.hard_target = bool(scn.params.get("demand.hard_target", 0))
    sets.tranches = list(scn.tranches)
    sets.cowos_allocated = [g for g in sets.gens if g in scn.cowos_allocation]
    if scn.params.get("operations.pipeline_gpus_must_run", 0):
        pipe_alive: set[tuple[str, str, int]] = set()
        for _, r in gp.iterrows():
            g, s, v = r["generation"], r["site"], int(r["install_year"])
            if r["gpus"] > 0:
                pipe_alive.update((g, s, y) for y in range(max(v, start), min(end, v + sets.gpu_life[g] - 1) + 1))
        sets.must_run = sorted(pipe_alive, key=lambda t: (gen_pos[t[0]], site_pos[t[1]], t[2]))
    sets.use = sorted(alive, key=lambda t: (gen_pos[t[0]], site_pos[t[1]], t[2]))
    # site asset builds: online within horizon (and from a technology's earliest year), room
    # left under the site's limit
    site_rows = sites_df.to_dict("index")  # plain dicts: a .loc per (asset, site) costs more than the loop
    for a in site_assets:
        earliest = _earliest(techs[a]["earliest_year"]) if a in techs else None
        for s in sets.sites:
            col = SITE_MAX_COLUMN.get(a) or sets.site_limit.get(a)
            if col is not None:
                sharing = [a] if a in SITE_MAX_COLUMN else [k for k, c in sets.site_limit.items() if c == col]
                room = site_rows[s][col] - sum(scn.pipeline_capacity(s, k, 10**6) for k in sharing)
                if room <= 1e-9:
                    continue
            if a == "transformer" and site_rows[s]["max_grid_mw"] <= 0:
                continue
            if a == GSU_ASSET and not any((k, s) in sets.site_assets for k in sets.gsu_techs):
                continue  # GSUs only where an on-site technology that needs them can be built (listed before)
            ys = [y for y in years if y + lead[a, s] <= end and (earliest is None or y + lead[a, s] >= earliest)]
            if ys:
                sets.site_assets.append((a, s))
                sets.build += [(a, s, y) for y in ys]
            if lead[a, s] >= 1:
                sets.early += [
                    (a, s, y) for y in years if y + lead[a, s] - 1 <= end and (earliest is None or y + lead[a, s] - 1 >= earliest)
                ]
    for k, L in sets.expand_lead.items():
        sets.expand += [(k, y) for y in years if y + L <= end]
    # time slices and transmission
    sets.slices = dict(scn.slices)
    sets.asset_life["transmission"] = int(scn.params.get("lifetime_years.transmission", 40))
    from dcplan.network.power import corridor_table

    ct = corridor_table(scn.tables.get("transmission"), set(sets.regions))
    for r in ct.to_dict("records"):
        arc = f"{r['from_region']}->{r['to_region']}"
        sets.arcs.append((arc, r["from_region"], r["to_region"]))
        sets.arc_corridor[arc] = r["corridor"]
        sets.tx_lead[r["corridor"]] = int(r["expansion_lead_time_years"])
        if r["direction"] == "forward" and float(r["max_expansion_mw"]) > 0:
            sets.tx_expand += [(r["corridor"], y) for y in years if y + sets.tx_lead[r["corridor"]] <= end]
    from dcplan.model.training_sets import training_plan

    sets.training = training_plan(scn)
    _power_sets(scn, sets)
    sets.index()
    # which (site, year) have grid columns: capacity online from the pipeline or from a build
    a = "grid_interconnection"
    sets.grid_cols = [
        (s, y)
        for s in sets.sites
        for y in years
        if scn.pipeline_capacity(s, a, y) > 0 or sets.builds_online(a, s, y) or sets.early_online(a, s, y)
    ]
    sets.index()
    return sets


def _earliest(v) -> int | None:
    """An optional earliest-year cell as an int (None when blank)."""
    return None if v is None or v != v else int(v)


def _power_sets(scn: Scenario, sets: ModelSets) -> None:
    """Contracts (by region, or at named plants with their earliest year), delivery caps,
    islanded site-years and CO2 caps."""
    years, end = sets.years, scn.end_year
    plants = scn.plants.to_dict("index")
    used_regions = set(sets.site_region.values()) | {r for _, a, b in sets.arcs for r in (a, b)}
    for k in sets.contracted:
        r = scn.tech_spec[k]
        if int(r["named_plants_only"]):
            # a plant in a region the scenario does not model is not available to it (docs/inputs.md)
            locs: list[tuple[str, str, int | None]] = [
                (p, pr["region"], int(pr["earliest_year"]))
                for p, pr in plants.items()
                if pr["technology"] == k and pr["region"] in used_regions
            ]
            sets.plant_locations += [(k, p) for p, _, _ in locs]
        else:
            # by region: where the scenario has sites or transmission (elsewhere a contract could not be used)
            locs = [(reg, reg, _earliest(r["earliest_year"])) for reg in sets.regions if reg in used_regions]
        for loc, reg, earliest in locs:
            L = scn.lead_time(k, reg)
            sets.location_region[loc] = reg
            sets.contract_lead[k, loc] = L
            sets.contract += [(k, loc, y) for y in years if y + L <= end and (earliest is None or y + L >= earliest)]
    online: set[tuple[str, str, int]] = set()
    for k, loc, v in sets.contract:
        L, life = sets.contract_lead[k, loc], sets.asset_life[k]
        online.update((k, loc, y) for y in years if v + L <= y <= v + L + life - 1)
    sets.contract_online = sorted(online)
    onsite = {(k, s, y) for k in sets.onsite for s in sets.sites for y in years if scn.pipeline_capacity(s, k, y) > 0}
    for shift, builds in ((0, sets.build), (1, sets.early)):
        for k, s, v in builds:
            if k in scn.tech_spec:
                L = sets.lead[k, s] - shift
                onsite.update((k, s, y) for y in years if v + L <= y <= v + L + sets.asset_life[k] - 1)
    sets.dispatchable = [k for k in sets.onsite + sets.contracted if any(scn.tech_availability(k, t) > 0 for t in sets.slices)]
    order = {k: i for i, k in enumerate(sets.onsite)}
    site_pos = {s: i for i, s in enumerate(sets.sites)}
    sets.onsite_online = sorted(onsite, key=lambda x: (order[x[0]], site_pos[x[1]], x[2]))
    caps = scn.delivery_caps_mw
    fams = {sets.tech_family[k] for k in sets.onsite + sets.contracted}
    sets.delivery_caps = [(f, y) for f in sorted(fams) for y in years if (f, y) in caps]
    g = "grid_interconnection"
    life = sets.asset_life[g]
    has_grid = {(s, y) for a, s, v in sets.build if a == g for y in years if v + sets.lead[a, s] <= y <= v + sets.lead[a, s] + life - 1}
    has_grid |= {(s, y) for a, s, v in sets.early if a == g for y in years if v + sets.lead[a, s] - 1 <= y <= v + sets.lead[a, s] + life - 2}
    has_grid |= {(s, y) for s in sets.sites for y in years if scn.pipeline_capacity(s, "grid_interconnection", y) > 0}
    used = {(s, y) for _, s, y in sets.use}
    sets.islanded = [(s, y) for s in sets.sites for y in years if (s, y) in used and (s, y) not in has_grid]
    sets.co2_caps = [(scope, y) for scope in sorted(scn.co2_caps_mt) for y in years]
