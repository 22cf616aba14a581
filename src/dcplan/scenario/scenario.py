"""The validated scenario: typed tables, scalar parameters, and derived series."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from dcplan.errors import InputError, InputProblem
from dcplan.scenario.frozen import FrozenDict, FrozenTables, cached_view

H100_REFERENCE_PFLOPS = 0.989
"""Dense BF16 PFLOP/s of one H100 SXM: the unit of H100-equivalents (Epoch AI chip_types)."""

TABLE_CACHES = (
    "sites", "regions", "gpus", "supply", "site_region", "_permitting", "_pipeline", "gpu_spec", "region_spec", "slices",
    "_profiles",
)
"""Cached views computed from the tables alone: a parameter-only variant shares them."""

T = TypeVar("T")


@dataclass(frozen=True, eq=False)
class Scenario:
    """A scenario ready to build: validated tables (typed DataFrames) and parameters.

    Build one with :func:`dcplan.load_scenario` or :func:`dcplan.scenario_from_tables`.

    Immutable: no field can be reassigned; `tables` and `raw_tables` hand out copies and refuse
    new tables; `params`, `overrides` and `solver_options` refuse changes (TypeError naming
    :meth:`with_overrides`, which returns a changed copy). So the views cached on first use
    (`sites`, `gpus`, `gpu_spec`, ..., kept in `_views`; dicts read-only, DataFrames handed out as
    copies) always match the tables, and other layers' caches live in :meth:`derived`.
    """

    name: str
    tables: FrozenTables
    params: Mapping[str, float]
    description: str = ""
    folder: Path | None = None
    overrides: Mapping[str, Any] = field(default_factory=dict)
    scope: str = ""
    """Who the planner is (scenario.yaml `scope:`), e.g. the whole US AI build-out or one company."""

    def __post_init__(self) -> None:
        for name in ("tables", "raw_tables"):
            if not isinstance(getattr(self, name), FrozenTables):
                object.__setattr__(self, name, FrozenTables(getattr(self, name)))
        for name in ("params", "overrides", "solver_options"):
            if not isinstance(getattr(self, name), FrozenDict):
                object.__setattr__(self, name, FrozenDict(getattr(self, name)))

    def __repr__(self) -> str:
        sites = self.tables.get("sites")
        n_sites = len(sites) if sites is not None else 0
        n_regions = sites["region"].nunique() if sites is not None and len(sites) else 0
        where = f" from {self.folder}" if self.folder is not None else ""
        return (
            f"<Scenario '{self.name}'{where}: {self.start_year}-{self.end_year}, {n_sites} sites in {n_regions} regions, "
            f"{len(self.tables.get('gpus', ()))} GPU generations, {len(self.overrides)} overrides>"
        )

    def _repr_html_(self) -> str:
        import html

        e = html.escape
        ovr = "".join(f"<li><code>{e(str(k))}</code> = {e(str(v))}</li>" for k, v in list(self.overrides.items())[:20])
        more = f"<li>… {len(self.overrides) - 20} more</li>" if len(self.overrides) > 20 else ""
        counts = ", ".join(f"{k} {len(v)}" for k, v in self.tables.items() if len(v))
        return (
            f"<div><p style='margin:4px 0'><b>{e(repr(self)[1:-1])}</b></p>"
            + (f"<p style='margin:4px 0'>{e(self.description)}</p>" if self.description else "")
            + f"<p style='margin:4px 0'>rows per table: {e(counts)}</p>"
            + (f"<p style='margin:4px 0'>overrides:</p><ul>{ovr}{more}</ul>" if ovr else "")
            + "</div>"
        )

    # ----- horizon -------------------------------------------------------------------------
    @property
    def start_year(self) -> int:
        return int(self.params["horizon.start_year"])

    @property
    def end_year(self) -> int:
        return int(self.params["horizon.end_year"])

    @property
    def years(self) -> list[int]:
        return list(range(self.start_year, self.end_year + 1))

    def discount_factor(self, year: int) -> float:
        """Present-value factor of a cost in `year`, discounted to the start of the first horizon
        year. Every flow of a year (capex payments, O&M, energy, fuel, unserved value) is dated
        at the start of that year."""
        return (1.0 + self.params["discount_rate"]) ** -(year - self.start_year)

    def crf(self, lifetime_years: float) -> float:
        """Capital recovery factor of an annuity due: the payment, at the start of each of
        `lifetime_years` years, whose present value at the start of the first year is one unit
        of capex. Every flow of year y is dated at the start of y (see :meth:`discount_factor`),
        so capex and energy share one convention: an asset online in y₀ for its whole life
        costs exactly its price in PV."""
        r = self.params["discount_rate"]
        n = lifetime_years
        if r == 0:
            return 1.0 / n
        return r / ((1.0 + r) * (1.0 - (1.0 + r) ** -n))

    # ----- tables --------------------------------------------------------------------------
    @cached_view
    def sites(self) -> pd.DataFrame:
        return self.tables["sites"].set_index("site")

    @cached_view
    def regions(self) -> pd.DataFrame:
        return self.tables["regions"].set_index("region")

    @cached_view
    def gpus(self) -> pd.DataFrame:
        """GPU generations indexed by id, with an added `h100e_per_gpu` column."""
        g = self.tables["gpus"].set_index("generation").copy()
        g["h100e_per_gpu"] = g["dense_bf16_pflops_per_gpu"] / H100_REFERENCE_PFLOPS
        return g

    @cached_view
    def supply(self) -> pd.DataFrame:
        return self.tables["supply"].set_index("year")

    @cached_view
    def site_region(self) -> dict[str, str]:
        return dict(zip(self.tables["sites"]["site"], self.tables["sites"]["region"], strict=False))

    # ----- derived series ------------------------------------------------------------------
    def lead_time(self, asset: str, region: str | None = None) -> int:
        """Lead time (years, decision to online) of `asset` (a site asset, a global expansion or
        a power technology), with the region's permitting adder."""
        spec = self.tech_spec.get(asset)  # the plain-dict view: no DataFrame copy per call
        base = int(spec["lead_time_years"]) if spec is not None else int(self.params[f"lead_time_years.{asset}"])
        if region is None:
            return base
        return base + self._permitting.get((region, asset), 0)

    @cached_view
    def _permitting(self) -> dict[tuple[str, str], int]:
        perm = self.tables.get("permitting")
        if perm is None:
            return {}
        return {(r, a): int(x) for r, a, x in zip(perm["region"], perm["asset"], perm["extra_lead_time_years"], strict=False)}

    GROWTH_KEYS = ("demand.start_h100e_millions", "demand.growth_per_year")

    @property
    def demand_from_growth(self) -> bool:
        """True when demand is start x growth^(y - y0): no demand.csv, `demand.use_growth` = 1,
        or an override of the start or the growth (so a sweep over growth changes demand)."""
        if not self.tables.rows("demand") or self.params.get("demand.use_growth", 0):
            return True
        return any(k in self.overrides for k in self.GROWTH_KEYS)

    @cached_view
    def _demand_table(self) -> dict[int, float]:
        dem = self.tables.get("demand")
        return {} if dem is None else {int(y): float(x) for y, x in zip(dem["year"], dem["h100e_millions"], strict=False)}

    # ----- power technologies (docs/inputs.md: power_technologies.csv) --------------------------
    @property
    def legacy_power(self) -> bool:
        """True when the scenario has no power_technologies.csv: one on-site technology,
        `gas_turbine`, built from the gas_turbine parameters and supply.csv."""
        return not self.tables.rows("power_technologies")

    @cached_view
    def technologies(self) -> pd.DataFrame:
        """Power technologies indexed by id (power_technologies.csv or the legacy gas turbine)."""
        from dcplan.scenario.schema import CO2_T_PER_MMBTU_GAS, LEGACY_TECHNOLOGY, PowerTechnologyRow

        if not self.legacy_power:
            return self.tables["power_technologies"].set_index("technology")
        p = self.params
        hr, avail = p["gas_turbine.heat_rate_mmbtu_per_mwh"], p["gas_turbine.availability"]
        row = {
            "technology": LEGACY_TECHNOLOGY, "name": "On-site gas turbines", "kind": "onsite", "family": LEGACY_TECHNOLOGY,
            "capex_usd_per_kw": p["capex_usd_per_kw.gas_turbine"], "fixed_om_usd_per_kw_year": p["fixed_om_usd_per_kw_year.gas_turbine"],
            "variable_om_usd_per_mwh": p["gas_turbine.variable_om_usd_per_mwh"], "contract_price_usd_per_mwh": 0.0,
            "heat_rate_mmbtu_per_mwh": hr, "co2_t_per_mwh": hr * CO2_T_PER_MMBTU_GAS, "availability": avail,
            "capacity_credit": avail, "storage_hours": 0.0, "lifetime_years": int(p["lifetime_years.gas_turbine"]),
            "lead_time_years": int(p["lead_time_years.gas_turbine"]), "earliest_year": None, "site_limit": "max_onsite_gas_mw",
            "named_plants_only": 0, "source": "gas_turbine parameters (parameters.csv)", "source_year": self.start_year,
        }
        return pd.DataFrame([row], columns=list(PowerTechnologyRow.model_fields)).set_index("technology")

    @cached_view
    def tech_spec(self) -> dict[str, dict]:
        """Technology rows as plain dicts (fast lookups while building the model)."""
        return self.technologies.to_dict("index")

    @cached_view
    def onsite_technologies(self) -> tuple[str, ...]:
        return tuple(k for k, r in self.tech_spec.items() if r["kind"] == "onsite")

    @cached_view
    def contracted_technologies(self) -> tuple[str, ...]:
        return tuple(k for k, r in self.tech_spec.items() if r["kind"] == "contracted")

    @cached_view
    def gsu_mva_per_mw(self) -> dict[str, float]:
        """On-site technologies that need generator step-up transformers -> MVA of GSU per MW
        (power_technologies.csv column gsu_mva_per_mw > 0; eq. T3)."""
        out = {}
        for k in self.onsite_technologies:
            v = self.tech_spec[k].get("gsu_mva_per_mw")
            if v is not None and v == v and float(v) > 0:
                out[k] = float(v)
        return out

    @property
    def site_assets(self) -> tuple[str, ...]:
        """Assets built per site: shell, grid interconnection, transformer, every on-site
        technology and, when some technology needs them, generator step-up transformers."""
        from dcplan.scenario.schema import CORE_SITE_ASSETS, GSU_ASSET

        return (*CORE_SITE_ASSETS, *self.onsite_technologies, *((GSU_ASSET,) if self.gsu_mva_per_mw else ()))

    def asset_lifetime(self, asset: str) -> int:
        """Economic life (years) of a site asset, expansion or power technology."""
        if asset in self.tech_spec:
            return int(self.tech_spec[asset]["lifetime_years"])
        return int(self.params[f"lifetime_years.{asset}"])

    @cached_view
    def _tech_slices(self) -> dict[tuple[str, str], tuple[float, float]]:
        ts = self.tables.get("power_technology_slices")
        if ts is None or ts.empty:
            return {}
        return {(k, t): (float(a), float(c)) for k, t, a, c in zip(ts["technology"], ts["slice"], ts["availability"], ts["capacity_credit"], strict=False)}

    def tech_availability(self, tech: str, slice_: str) -> float:
        """Share of a technology's MW that can be dispatched (average) in a time slice."""
        return self._tech_slices.get((tech, slice_), (float(self.tech_spec[tech]["availability"]), 0.0))[0]

    def tech_capacity_credit(self, tech: str, slice_: str) -> float:
        """Share of a technology's MW that counts as firm capacity at the slice's peak."""
        hit = self._tech_slices.get((tech, slice_))
        return hit[1] if hit is not None else float(self.tech_spec[tech]["capacity_credit"])

    @cached_view
    def delivery_caps_mw(self) -> dict[tuple[str, int], float]:
        """(family, year) -> MW of the family the planner can have delivered that year (share x
        deliveries). A family with no rows is not capped."""
        if self.legacy_power:
            from dcplan.scenario.schema import LEGACY_TECHNOLOGY

            share = self.params["planner_share.gas_turbine"]
            col = self.supply["gas_turbine_mw_per_year"]
            return {(LEGACY_TECHNOLOGY, int(y)): share * float(v) for y, v in col.items()}
        d = self.tables.get("power_deliveries")
        if d is None or d.empty:
            return {}
        return {
            (f, int(y)): float(share) * float(mw)
            for f, y, mw, share in zip(d["family"], d["year"], d["deliveries_mw_per_year"], d["planner_share"], strict=False)
        }

    @cached_view
    def plants(self) -> pd.DataFrame:
        """Named plants (power_plants.csv) indexed by plant id."""
        from dcplan.scenario.schema import PowerPlantRow

        t = self.tables.get("power_plants")
        if t is None:
            t = pd.DataFrame(columns=list(PowerPlantRow.model_fields))
        return t.set_index("plant")

    @cached_view
    def co2_caps_mt(self) -> dict[str, float]:
        """CO2 caps in Mt per year: 'US' (co2.cap_mt_per_year) and per region; a negative cap is none."""
        from dcplan.scenario.schema import CO2_STATE_CAP_PREFIX

        out = {}
        if self.params.get("co2.cap_mt_per_year", -1) >= 0:
            out["US"] = float(self.params["co2.cap_mt_per_year"])
        for k, v in self.params.items():
            if k.startswith(CO2_STATE_CAP_PREFIX) and v >= 0:
                out[k[len(CO2_STATE_CAP_PREFIX):]] = float(v)
        return out

    def demand_h100e_millions(self, year: int) -> float:
        """Compute the fleet must deliver in `year`, million H100e (demand.csv, or start x growth)."""
        p = self.params
        if self.demand_from_growth:
            return p["demand.start_h100e_millions"] * p["demand.growth_per_year"] ** (year - self.start_year)
        return self._demand_table[year]

    @cached_view
    def tranches(self) -> dict[str, tuple[float, float, float]]:
        """Value-of-compute tranches: id -> (share of demand, value USD per H100e-year in the
        first year, change per year). Without demand_tranches.csv one tranche, 'all', valued at
        `demand.unmet_penalty_usd_per_h100e_year` every year."""
        tr = self.tables.get("demand_tranches")
        if tr is None or not len(tr):
            return {"all": (1.0, float(self.params["demand.unmet_penalty_usd_per_h100e_year"]), 0.0)}
        return {
            str(k): (float(f), float(v), float(c))
            for k, f, v, c in zip(tr["tranche"], tr["share_of_demand"], tr["value_usd_per_h100e_year"], tr["value_change_per_year"], strict=False)
        }

    @cached_view
    def cowos_allocation(self) -> dict[str, float]:
        """Generation -> the most of the planner's CoWoS share its vendor gets (cowos_allocation.csv)."""
        ca = self.tables.get("cowos_allocation")
        if ca is None or not len(ca):
            return {}
        return {str(g): float(a) for g, a in zip(ca["generation"], ca["max_share_of_cowos"], strict=False)}

    def tranche_value_usd_per_h100e_year(self, tranche: str, year: int) -> float:
        """What one H100e-year of `tranche` is worth in `year` (its value if unserved)."""
        _, v, c = self.tranches[tranche]
        return v * (1.0 + c) ** (year - self.start_year)

    def headroom_mw(self, region: str, year: int) -> float:
        """MW of large load the region's grid can serve in `year` (never below zero)."""
        r = self.region_spec[region]
        return max(0.0, r["headroom_mw_start"] + r["headroom_growth_mw_per_year"] * (year - self.start_year))

    def power_price_usd_per_mwh(self, region: str, year: int) -> float:
        """Electricity price in `region` and `year` (base price escalated from the start year)."""
        base = self.region_spec[region]["power_price_usd_per_mwh"]
        return base * (1.0 + self.params["power_price.escalation_per_year"]) ** (year - self.start_year)

    @cached_view
    def _pipeline(self) -> dict[tuple[str, str], list[tuple[int, float]]]:
        out: dict[tuple[str, str], list[tuple[int, float]]] = {}
        pl = self.tables.get("pipeline")
        if pl is not None:
            for site, asset, y, cap in zip(pl["site"], pl["asset"], pl["online_year"], pl["capacity"], strict=False):
                out.setdefault((site, asset), []).append((int(y), float(cap)))
        return out

    def pipeline_capacity(self, site: str, asset: str, year: int) -> float:
        """Pipeline capacity of `asset` at `site` online in `year` (MW, MVA for transformers)."""
        return sum(cap for y, cap in self._pipeline.get((site, asset), ()) if y <= year)

    @cached_view
    def gpu_spec(self) -> dict[str, dict]:
        """GPU generation rows as plain dicts (fast lookups while building the model)."""
        return self.gpus.to_dict("index")

    @cached_view
    def region_spec(self) -> dict[str, dict]:
        """Region rows as plain dicts (fast lookups while building the model)."""
        return self.regions.to_dict("index")

    # ----- time slices ---------------------------------------------------------------------
    @cached_view
    def slices(self) -> dict[str, float]:
        """Representative time slices and their hours per year (one slice 'year' by default)."""
        ts = self.tables.get("time_slices")
        if ts is None or not len(ts):
            return {"year": 8760.0}
        return {str(k): float(h) for k, h in zip(ts["slice"], ts["hours"], strict=False)}

    @cached_view
    def _profiles(self) -> dict[tuple[str, str], tuple[float, float]]:
        sp = self.tables.get("slice_profiles")
        if sp is None or not len(sp):
            return {}
        return {
            (r, t): (float(pm), float(hm))
            for r, t, pm, hm in zip(sp["region"], sp["slice"], sp["price_multiplier"], sp["headroom_multiplier"], strict=False)
        }

    def slice_price_usd_per_mwh(self, region: str, year: int, slice_: str) -> float:
        """Electricity price in `region`, `year` and time slice (base x escalation x multiplier)."""
        return self.power_price_usd_per_mwh(region, year) * self._profiles.get((region, slice_), (1.0, 1.0))[0]

    def slice_headroom_mw(self, region: str, year: int, slice_: str) -> float:
        """Large-load headroom of `region` in `year` and time slice."""
        return self.headroom_mw(region, year) * self._profiles.get((region, slice_), (1.0, 1.0))[1]

    def with_overrides(self, overrides: Mapping) -> Scenario:
        """A new scenario with `overrides` applied (same rules as scenario.yaml's overrides).

        Overrides of scalar parameters (not the horizon, lead times or network parameters,
        which cross-table checks read) and of number cells no cross-table check reads (a site's
        PUE, a region's cap, a technology's capex, ...) are checked against their schema and
        range and applied without re-checking the other tables, which are shared
        (``scenario/load.py: with_fast_overrides``); anything else re-validates the scenario
        from its raw tables."""
        from dcplan.scenario.load import scenario_from_tables, with_fast_overrides

        if not isinstance(overrides, Mapping):
            raise InputError(
                [
                    InputProblem(
                        "overrides",
                        f"with_overrides expects a mapping of path: value (e.g. {{'planner_share.cowos': 0.7}}), "
                        f"got a {type(overrides).__name__}",
                        column="overrides",
                    )
                ]
            )
        fast = with_fast_overrides(self, overrides)
        if fast is not None:
            return fast
        merged = {**self.overrides, **overrides}
        return scenario_from_tables(
            self.raw_tables, name=self.name, description=self.description, overrides=merged,
            solver_options=self.solver_options, scope=self.scope,
        )

    raw_tables: FrozenTables = field(default_factory=lambda: FrozenTables({}), repr=False)
    solver_options: Mapping[str, Any] = field(default_factory=dict)
    """HiGHS options (scenario.yaml's ``solver:``), checked and typed; see scenario/solver_options.py."""
    _views: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)
    """The cached views (cached_view), computed on first use from tables that cannot change."""
    _derived: dict[str, tuple[Any, frozenset[str], frozenset[str] | None]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    """Values other layers derive from the scenario (see :meth:`derived`)."""

    def derived(self, key: str, make: Callable[[], T], depends_on: Iterable[str] = (), tables: Iterable[str] | None = None) -> T:
        """A value derived from this scenario (fiber graph, superclusters, corridors, ...), computed
        once by `make()`. `depends_on` names the parameters it reads besides the tables, `tables`
        the tables it reads (None: any table). A variant (:meth:`with_params`, :meth:`with_tables`)
        keeps it unless one of those changed. The value is shared by such variants: do not change it."""
        hit = self._derived.get(key)
        if hit is None:
            hit = self._derived[key] = (make(), frozenset(depends_on), None if tables is None else frozenset(tables))
        elif isinstance(self.tables, RecordingTables):  # a recording view (model/tracking.py) sharing the value
            self.tables.note(hit[2])
        return hit[0]

    def with_params(self, params: Mapping[str, float], overrides: Mapping[str, Any]) -> Scenario:
        """A new scenario with new (already validated) scalar parameters: the same tables, shared
        rather than copied, with the table-derived caches carried over (see with_overrides)."""
        return self.with_tables({}, params, overrides)

    def with_tables(self, tables: Mapping[str, pd.DataFrame], params: Mapping[str, float], overrides: Mapping[str, Any]) -> Scenario:
        """A new scenario with some tables replaced by new (already validated) typed tables and new
        (already validated) parameters. Unchanged tables are shared, not copied, and so are the
        cached views and derived objects that read none of the changed tables or parameters, so
        model/tracking.py can tell a variant's changes table by table."""
        current = self.tables
        changed_tables = {k for k, v in tables.items() if not current.holds(k, v)}
        new = Scenario(
            name=self.name, tables=current.replacing({k: tables[k] for k in changed_tables}) if changed_tables else current,
            params=params, description=self.description, folder=self.folder, overrides=overrides, raw_tables=self.raw_tables,
            solver_options=self.solver_options, scope=self.scope,
        )
        new._views.update({
            k: self._views[k] for k in TABLE_CACHES if k in self._views and not (changed_tables and cache_tables(k, self) & changed_tables)
        })
        changed = {k for k in params.keys() | self.params.keys() if params.get(k) != self.params.get(k)}
        new._derived.update({
            k: v for k, v in self._derived.items()
            if not v[1] & changed and not (changed_tables and (v[2] is None or v[2] & changed_tables))
        })
        return new

    def params_view(self, params: Mapping[str, float], overrides: Mapping[str, Any], tables: FrozenTables | None = None) -> Scenario:
        """This scenario read through other mappings of the same values (model/tracking.py's
        recording dicts, and with `tables` a recording of the same tables). The derived cache is
        shared; the table views too unless `tables` is given (then they are computed again on the
        view, so the tables they read are recorded)."""
        new = Scenario(
            name=self.name, tables=self.tables if tables is None else tables, params=params, description=self.description,
            folder=self.folder, overrides=overrides, raw_tables=self.raw_tables, solver_options=self.solver_options, scope=self.scope,
        )
        if tables is None:
            new._views.update({k: self._views[k] for k in TABLE_CACHES if k in self._views})
        object.__setattr__(new, "_derived", self._derived)
        return new


class RecordingTables(FrozenTables):
    """Read-only tables that record the names of the tables read, each as `prefix` + name, into
    `read` (model/tracking.py, :func:`cache_tables`); the frames are those of `base`, shared."""

    def __init__(self, base: Mapping[str, pd.DataFrame], read: set[str] | None = None, prefix: str = ""):
        super().__init__(base)
        self.read: set[str] = set() if read is None else read
        self.prefix = prefix

    def note(self, names: Iterable[str] | None) -> None:
        """Record `names` as read (None: every table)."""
        self.read.update(self.prefix + k for k in (self._tables if names is None else names))

    def __getitem__(self, k: str) -> pd.DataFrame:
        self.note((k,))
        return super().__getitem__(k)

    def __contains__(self, k: object) -> bool:
        if isinstance(k, str):
            self.note((k,))
        return super().__contains__(k)

    def rows(self, name: str) -> int:
        self.note((name,))
        return super().rows(name)

    def items(self):
        self.note(None)
        return super().items()

    def values(self):
        self.note(None)
        return super().values()


_CACHE_TABLES: dict[str, frozenset[str]] = {}


def cache_tables(name: str, scenario: Scenario) -> frozenset[str]:
    """The tables the cached view `name` (one of :data:`TABLE_CACHES`) reads, found once by
    computing it on a copy of a scenario whose tables record what is read."""
    hit = _CACHE_TABLES.get(name)
    if hit is None:
        tables = RecordingTables(scenario.tables)
        probe = Scenario(name="probe", tables=tables, params=scenario.params, overrides=scenario.overrides)
        getattr(probe, name)
        hit = _CACHE_TABLES[name] = frozenset(tables.read)
    return hit
