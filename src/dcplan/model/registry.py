"""One entry per constraint family, cost category and site asset: the single source of truth
for labels, planner units, LP scale, role, display order and colour (docs/formulation.md).

Results (shadow prices, binding constraints, the bottleneck timeline), diagnosis, the
largest-run mode, the plots and the HTML report all read these tables; nothing else keeps its
own copy. A family built in the model without an entry here fails tests/test_registry.py.

Roles of a constraint family:

- ``limit``: a capacity, supply, permitting or expansion limit; its shadow price is the value
  of one more unit. Only limits are listed as binding constraints or in the timeline.
- ``balance``: a balance whose dual prices a quantity (the marginal cost of compute, a region's
  power price, the value of run compute), not a limit.
- ``definitional``: a row that defines one quantity from another (GPUs in use vs installed, the
  run compute a site hosts) and passes a limit's value along.

``target`` marks the families that state what the planner wants (compute demand, must-run
GPUs) rather than what the world allows; diagnosis relaxes them first to measure a shortfall.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

LIMIT, BALANCE, DEFINITIONAL = "limit", "balance", "definitional"
ROLES = (LIMIT, BALANCE, DEFINITIONAL)


@dataclass(frozen=True)
class Family:
    """A constraint family: equation id, meaning, unit of its right-hand side, LP units per unit."""

    name: str
    equation: str  # id in docs/formulation.md
    label: str
    unit: str  # planner unit of the right-hand side
    lp_per_unit: float  # LP units per planner unit (the LP is scaled: thousands of GPUs, ...)
    scope: str  # global / region / site
    index: tuple[str, ...]  # names of the index positions
    role: str  # limit / balance / definitional (see the module docstring)
    order: int  # display order (bottleneck timeline, lists)
    color: str  # hex colour for charts and tables
    hint: str = ""  # what an infeasibility in this family means and which input to look at
    target: bool = False  # states what the planner wants (diagnosis relaxes these first)
    column: bool = False  # priced by the reduced cost of a fixed-at-zero column, not a row

    @property
    def is_limit(self) -> bool:
        """True for limits (listed as binding constraints), False for balances and definitions."""
        return self.role == LIMIT

    @property
    def in_timeline(self) -> bool:
        """Shown in the bottleneck timeline: a yearly limit that is not a planner's target."""
        return self.is_limit and not self.target and "year" in self.index


def _families(*fams: Family) -> dict[str, Family]:
    return {f.name: f for f in fams}


_SITE_T = ("site", "year", "slice")
_REGION_T = ("region", "year", "slice")

ROW_FAMILIES: dict[str, Family] = _families(
    Family("demand_balance", "D1", "compute demand", "H100e-year", 1e-3, "global", ("year", "slice"), BALANCE, 100,
           "#222222", "the compute target exceeds what can be online; lower demand or allow unmet demand "
           "(demand.hard_target = 0)", target=True),
    Family("cowos_supply", "C1", "CoWoS wafers", "wafer", 1e-3, "global", ("year",), LIMIT, 1, "#937860",
           "needs more CoWoS wafers than the planner's share (planner_share.cowos, supply.csv)"),
    Family("cowos_allocation", "C3", "vendor CoWoS allocation", "wafer", 1e-3, "global", ("generation", "year"), LIMIT,
           18, "#A47D5C", "a generation needs more CoWoS than its vendor's allocation (cowos_allocation.csv)"),
    Family("hbm_supply", "C2", "HBM stacks", "stack", 1e-3, "global", ("year",), LIMIT, 2, "#DA8BC3",
           "needs more HBM stacks than the planner's share (planner_share.hbm, supply.csv)"),
    Family("transformer_supply", "T2", "transformer deliveries (HV and GSU)", "MVA", 1.0, "global", ("year",), LIMIT, 4,
           "#8172B3", "needs more transformer deliveries than available (planner_share.transformer, supply.csv)"),
    Family("power_delivery", "U1", "power technology deliveries", "MW", 1.0, "global", ("asset", "year"), LIMIT, 5,
           "#DD8452", "needs more of a power technology family than delivered (power_deliveries.csv; without "
           "power_technologies.csv: planner_share.gas_turbine, supply.csv)"),
    Family("co2_cap", "E1", "CO2 cap", "t CO2", 1e-3, "region", ("region", "year"), LIMIT, 19, "#555555",
           "emits more CO2 than the cap allows (co2.cap_mt_per_year, co2.cap_mt_per_year.<region>)"),
    Family("interconnection_cap", "I1", "new interconnection per year", "MW", 1.0, "region", ("region", "year"), LIMIT,
           6, "#55A868", "needs more new grid interconnection than the region energises per year (regions.csv)"),
    Family("regional_headroom", "H1", "regional large-load headroom", "MW", 1.0, "region", _REGION_T, LIMIT, 7,
           "#2E8B57", "needs more grid power than the region's large-load headroom (regions.csv)"),
    Family("regional_balance", "H2", "regional power balance", "MW", 1.0, "region", _REGION_T, BALANCE, 102, "#8DA0CB",
           "needs more grid power in a region than it supplies and imports"),
    Family("shell_capacity", "S1", "datacenter shell capacity", "MW", 1.0, "site", _SITE_T, LIMIT, 9, "#4C72B0",
           "needs shell capacity before any can be online (pipeline, lead_time_years.shell, permitting)"),
    Family("grid_capacity", "P2", "grid interconnection capacity", "MW", 1.0, "site", _SITE_T, LIMIT, 10, "#66C2A5",
           "needs grid capacity before any can be online (pipeline, grid lead time, permitting)"),
    Family("transformer_capacity", "T1", "site transformer capacity", "MVA", 1.0, "site", _SITE_T, LIMIT, 11,
           "#B3A2D9", "needs transformers before any can be online (pipeline, transformer lead time)"),
    Family("gsu_capacity", "T3", "generator step-up transformers", "MVA", 1.0, "site", ("site", "year"), LIMIT, 23,
           "#9C8FC4", "new on-site generation needs GSUs before it can be in service (lead_time_years.gsu_transformer, "
           "power_technologies.csv gsu_mva_per_mw, transformer deliveries)"),
    Family("onsite_capacity", "P3", "on-site generation capacity", "MW", 1.0, "site", ("asset", *_SITE_T), LIMIT, 12,
           "#F2B58C", "needs on-site generation before any can be online (pipeline, power_technologies.csv "
           "lead_time_years, permitting)"),
    Family("firm_capacity", "P4", "firm capacity without a grid tie", "MW", 1.0, "site", _SITE_T, LIMIT, 20,
           "#C44E52", "a site without a grid tie needs more firm on-site capacity (power.islanded_reserve_margin, "
           "capacity_credit)"),
    Family("contract_capacity", "P5", "contracted power capacity", "MW", 1.0, "site", ("asset", "location", "year", "slice"),
           LIMIT, 21, "#CCB974", "needs contracted power before any can be delivered (power_technologies.csv "
           "lead_time_years, earliest_year; power_plants.csv)"),
    Family("plant_max", "P6", "named plant capacity", "MW", 1.0, "region", ("asset", "location"), LIMIT, 22, "#4C72B0",
           "needs more from a named plant than its capacity (power_plants.csv capacity_mw)"),
    Family("transmission_capacity", "X1", "transmission capacity", "MW", 1.0, "region", ("arc", "year", "slice"),
           LIMIT, 13, "#E5C494", "needs more transfer over a corridor than its capacity (transmission.csv)"),
    Family("fiber_capacity", "R3", "fiber bandwidth", "Tbps", 1.0, "site", ("site", "site_b", "year", "slice"), LIMIT,
           14, "#A6D854", "needs more fiber bandwidth between a training run's sites than the link has (fiber_links.csv)"),
    Family("transmission_max", "X2", "transmission expansion limit", "MW", 1.0, "region", ("corridor",), LIMIT, 15,
           "#C49C94", "needs more transmission expansion than the corridor allows (transmission.csv max_expansion_mw)"),
    Family("site_max", "S2", "site build limit", "MW", 1.0, "site", ("asset", "site"), LIMIT, 16, "#64B5CD",
           "needs more capacity than the site can hold (sites.csv max_*)"),
    Family("gpu_must_run", "G4", "installed GPUs must run", "GPU", 1e-3, "site", ("generation", "site", "year", "slice"),
           LIMIT, 17, "#C44E52", "GPUs already installed must run, but the site cannot power them", target=True),
    Family("power_balance", "P1", "site power balance", "MW", 1.0, "site", _SITE_T, BALANCE, 101, "#FC8D62",
           "needs more power at a site than its grid and on-site supply"),
    Family("training_demand", "R1", "training run hosted in its supercluster", "H100e-year", 1e-3, "global",
           ("year", "slice"), BALANCE, 103, "#E78AC3",
           "the training run cannot be hosted by its supercluster (training.csv)"),
    Family("gpu_in_use_upper", "G2", "installed GPUs", "GPU", 1e-3, "site", ("generation", "site", "year", "slice"),
           DEFINITIONAL, 110, "#999999", "needs more GPUs in use than are installed"),
    Family("training_site", "R2", "site compute for the training run", "H100e-year", 1e-3, "site", _SITE_T,
           DEFINITIONAL, 111, "#BBBBBB", "a site hosts more of the training run than the compute it has in use"),
)
"""Row families (Pyomo Constraint components of the same name)."""

COLUMN_FAMILIES: dict[str, Family] = _families(
    Family("gpu_availability", "L2", "GPU generation one year earlier", "GPU", 1e-3, "site",
           ("generation", "site", "year"), LIMIT, 3, "#4C9F70", column=True),
    Family("lead_time", "L1", "lead time (capacity one year earlier)", "MW", 1.0, "site", ("asset", "site", "year"),
           LIMIT, 8, "#D4A017", column=True),
)
"""Families priced by the reduced cost of a fixed-at-zero column (eq. L1, L2) rather than a row."""

FAMILIES: dict[str, Family] = {**ROW_FAMILIES, **COLUMN_FAMILIES}
"""Every constraint family, rows and columns, by name."""


def family(name: str) -> Family | None:
    """The registry entry of family `name`, or None."""
    return FAMILIES.get(name)


def families_by_role(*roles: str) -> tuple[str, ...]:
    """Names of the families with one of `roles`, in display order."""
    return tuple(f.name for f in sorted(FAMILIES.values(), key=lambda f: f.order) if f.role in roles)


def limit_families() -> tuple[str, ...]:
    """Families whose binding members are limits (listed as binding, shown in the timeline)."""
    return families_by_role(LIMIT)


def not_limits() -> tuple[str, ...]:
    """Balances and definitional rows: never listed as binding limits."""
    return families_by_role(BALANCE, DEFINITIONAL)


def timeline_families() -> tuple[str, ...]:
    """Families shown in the bottleneck timeline, in display order."""
    return tuple(f.name for f in sorted(FAMILIES.values(), key=lambda f: f.order) if f.in_timeline)


def targets() -> frozenset[str]:
    """Families that state what the planner wants (compute demand, must-run GPUs)."""
    return frozenset(f.name for f in FAMILIES.values() if f.target)


# ---------------------------------------------------------------- cost categories


@dataclass(frozen=True)
class CostCategory:
    """A cost category of results.costs: label, colour, display order, and whether it is a
    penalty (a model price on unserved demand, never counted as spending)."""

    name: str
    label: str
    color: str
    order: int
    penalty: bool = False


COST_CATEGORIES: dict[str, CostCategory] = {
    c.name: c
    for c in (
        CostCategory("gpu_capex", "GPUs (capex)", "#4C72B0", 1),
        CostCategory("shell_capex", "Shells (capex)", "#64B5CD", 2),
        CostCategory("shell_fixed_om", "Shells (fixed O&M)", "#A6D4E3", 3),
        CostCategory("grid_interconnection_capex", "Grid interconnection (capex)", "#55A868", 4),
        CostCategory("transformer_capex", "Transformers, HV (capex)", "#8172B3", 5),
        CostCategory("gsu_transformer_capex", "Transformers, GSU (capex)", "#9C8FC4", 5),
        CostCategory("substation_capex", "Substations (capex)", "#6B8E6B", 5),
        CostCategory("power_capex", "Power technologies (capex)", "#DD8452", 6),
        CostCategory("power_fixed_om", "Power technologies (fixed O&M)", "#F2B58C", 7),
        CostCategory("grid_energy", "Grid electricity", "#2E8B57", 8),
        CostCategory("power_fuel_and_vom", "On-site fuel + VOM", "#C44E52", 9),
        CostCategory("power_contracts", "Power contracts (PPAs)", "#8C8C3C", 9),
        CostCategory("co2_price", "CO2 price", "#555555", 9),
        CostCategory("transmission_capex", "Transmission expansion (capex)", "#E5C494", 10),
        CostCategory("transmission_wheeling", "Transmission wheeling", "#B8860B", 11),
        CostCategory("cowos_expansion_capex", "CoWoS expansion (capex)", "#937860", 12),
        CostCategory("hbm_expansion_capex", "HBM expansion (capex)", "#DA8BC3", 13),
        CostCategory("unmet_demand_penalty", "Unserved demand (at its value)", "#BBBBBB", 90, penalty=True),
        CostCategory("unmet_training_penalty", "Training run not hosted (penalty)", "#DDDDDD", 91, penalty=True),
    )
}
"""Every cost category the objective's terms produce (model/coefficients.py unit_costs)."""

_FALLBACK_COLOR = "#7F7F7F"


def cost_category(name: str) -> CostCategory:
    """The entry of cost category `name`; an unknown one gets its own name as label, a grey
    colour, and is a penalty only if its name says so (so new categories still chart)."""
    c = COST_CATEGORIES.get(name)
    if c is not None:
        return c
    return CostCategory(name, name.replace("_", " "), _FALLBACK_COLOR, 50, penalty=name.endswith("_penalty"))


def is_penalty(name: str) -> bool:
    """True if cost category `name` is a penalty on unserved demand (not spending)."""
    return cost_category(name).penalty


def penalty_categories(names: Iterable[str] | None = None) -> list[str]:
    """The penalty categories among `names` (all registered ones when None)."""
    return [n for n in (COST_CATEGORIES if names is None else names) if is_penalty(n)]


def ordered_categories(names: Iterable[str], spending_only: bool = False) -> list[str]:
    """`names` (each once) in display order; penalties left out when `spending_only`."""
    uniq = dict.fromkeys(names)
    cats = [n for n in uniq if not (spending_only and is_penalty(n))]
    return sorted(cats, key=lambda n: (cost_category(n).order, n))


# ---------------------------------------------------------------- site assets


@dataclass(frozen=True)
class Asset:
    """A site asset class for charts and tables: label, colour, display order."""

    name: str
    label: str
    color: str
    order: int


ASSETS: dict[str, Asset] = {
    a.name: a
    for a in (
        Asset("shell", "Datacenter shells (IT MW)", "#4C72B0", 1),
        Asset("grid_interconnection", "Grid interconnection", "#55A868", 2),
        Asset("gas_turbine", "On-site gas turbines", "#DD8452", 3),
        Asset("gas_sc", "Gas simple cycle (on site)", "#DD8452", 3),
        Asset("gas_cc", "Gas combined cycle (on site)", "#C44E52", 3),
        Asset("recip", "Reciprocating engines (on site)", "#937860", 3),
        Asset("fuel_cell", "Fuel cells (on site)", "#DA8BC3", 3),
        Asset("battery_4h", "Batteries, 4 h (on site)", "#8172B3", 3),
        Asset("transformer", "Large power transformers (HV, grid tie)", "#8172B3", 4),
        Asset("gsu_transformer", "Generator step-up transformers", "#9C8FC4", 4),
    )
}
"""Site asset classes (scenario/schema.py SITE_ASSETS) as charts and tables show them."""


def asset(name: str) -> Asset:
    """The entry of asset `name`; an unknown one gets its own name and a grey colour."""
    return ASSETS.get(name) or Asset(name, name.replace("_", " "), _FALLBACK_COLOR, 50)
