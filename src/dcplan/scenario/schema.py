"""Schemas of the input tables (one pydantic row model per CSV) and of the scalar parameters.

See docs/inputs.md for the meaning and units of every column.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from dcplan.network.defaults import NETWORK_DEFAULTS

CORE_SITE_ASSETS = ("shell", "grid_interconnection", "transformer")
"""Assets every site has: datacenter shell, grid interconnection, transformers (HV step-down
units at the grid tie)."""

GSU_ASSET = "gsu_transformer"
"""Generator step-up transformers: a site asset of its own (its own lead time, price and life)
when some on-site technology needs them (power_technologies.csv column gsu_mva_per_mw > 0)."""

TRANSFORMER_ASSETS = ("transformer", GSU_ASSET)
"""The transformer classes (MVA, not MW): HV step-down at the grid tie and GSUs of on-site
generation. They share the national large-power-transformer deliveries (eq. T2)."""

SITE_ASSETS = (*CORE_SITE_ASSETS, "gas_turbine")
"""Site assets of a scenario without power_technologies.csv (the legacy gas turbine); with the
table, a scenario's site assets are the core ones plus its on-site technologies
(`Scenario.site_assets`)."""

LEGACY_TECHNOLOGY = "gas_turbine"
"""Id of the one on-site technology a scenario without power_technologies.csv has, built from
the gas_turbine parameters and supply.csv's gas_turbine_mw_per_year (docs/inputs.md)."""

TECH_KINDS = ("onsite", "contracted")
"""On-site technologies are built at a site behind its meter; contracted ones are bought in a
region (or at a named plant) and delivered through the region's grid."""

SITE_LIMIT_COLUMNS = ("max_onsite_gas_mw",)
"""Columns of sites.csv an on-site technology may draw its site limit from (shared by every
technology naming the same column)."""

CO2_T_PER_MMBTU_GAS = 0.05306
"""CO2 from burning natural gas, t per MMBtu (EPA GHG emission factors hub: 53.06 kg/MMBtu)."""

GLOBAL_ASSETS = ("cowos_expansion", "hbm_expansion")
"""Supply-chain capacity the planner may fund, global rather than per site."""

ASSET_UNITS = {"shell": "MW", "grid_interconnection": "MW", "gas_turbine": "MW", "transformer": "MVA", GSU_ASSET: "MVA"}

Id = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, pattern=r"^[A-Za-z0-9_\-]+$")]
def _visible(v: str) -> str:
    if not any(c.isprintable() and not c.isspace() for c in v):
        raise ValueError("no visible character (only spaces or invisible format characters); a value is required")
    return v


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(_visible)]
Year = Annotated[int, Field(ge=1990, le=2100)]
NonNeg = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Pos = Annotated[float, Field(gt=0, allow_inf_nan=False)]
Real = Annotated[float, Field(allow_inf_nan=False)]
Fraction = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]


PLACEHOLDERS = frozenset({"nan", "none", "null", "n/a", "na", "-", "--", "?", "tbd", "todo", "unknown", "#n/a"})
"""Texts that stand for 'no value' (what a spreadsheet or pandas writes for an empty cell)."""


def _not_placeholder(v: str) -> str:
    if v.lower() in PLACEHOLDERS:
        raise ValueError(
            f"'{v}' is a placeholder, not a source; expected where the figure comes from (or 'assumption: ...')"
        )
    if not any(c.isalpha() for c in v):
        raise ValueError(
            f"'{v}' has no letters, so it names no source; expected where the figure comes from (or 'assumption: ...')"
        )
    return v


Source = Annotated[Text, AfterValidator(_not_placeholder)]


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    source: Source
    source_year: Year


class ParameterRow(_Row):
    name: Text
    value: Real
    unit: Text
    description: Text


class SupplyRow(_Row):
    year: Year
    cowos_wafers_per_year: NonNeg
    hbm_stacks_per_year: NonNeg
    transformer_mva_per_year: NonNeg
    gas_turbine_mw_per_year: NonNeg | None = None  # legacy: only without power_technologies.csv


class GpuRow(_Row):
    generation: Id
    name: Text
    first_year: Year
    last_year: Year
    it_power_kw_per_gpu: Pos
    dense_bf16_pflops_per_gpu: Pos
    hbm_stacks_per_gpu: NonNeg
    packages_per_cowos_wafer: Pos
    price_usd_per_gpu: NonNeg
    lifetime_years: Annotated[int, Field(ge=1, le=30)]


class RegionRow(_Row):
    region: Id
    name: Text
    iso: Text
    interconnection_cap_mw_per_year: NonNeg
    headroom_mw_start: NonNeg
    headroom_growth_mw_per_year: Real
    interconnection_capex_usd_per_kw: NonNeg
    power_price_usd_per_mwh: NonNeg
    gas_price_usd_per_mmbtu: NonNeg


class PermittingRow(_Row):
    region: Id
    asset: Id
    extra_lead_time_years: Annotated[int, Field(ge=-20, le=20)]


class SiteRow(_Row):
    site: Id
    name: Text
    region: Id
    latitude: Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
    longitude: Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
    operator: Text
    max_it_mw: NonNeg
    max_grid_mw: NonNeg
    max_onsite_gas_mw: NonNeg
    pue: Annotated[float, Field(ge=1.0, le=3.0, allow_inf_nan=False)]


class PipelineRow(_Row):
    site: Id
    asset: Id
    online_year: Year
    capacity: NonNeg
    unit: Text


class GpuPipelineRow(_Row):
    site: Id
    generation: Id
    install_year: Year
    gpus: NonNeg


class TransmissionRow(_Row):
    """A transmission corridor between two regions (see docs/inputs.md, `transmission.csv`).

    `capacity_mw` is the transfer capability from `from_region` to `to_region`;
    `reverse_capacity_mw` the other way (blank: the same). Losses, wheeling and expansion
    apply to both directions; expansion adds the same MW both ways.
    """

    from_region: Id
    to_region: Id
    capacity_mw: NonNeg
    reverse_capacity_mw: NonNeg | None = None
    length_km: Pos
    loss_fraction: Annotated[float, Field(ge=0, lt=1, allow_inf_nan=False)]
    wheeling_usd_per_mwh: NonNeg
    expansion_capex_usd_per_mw_km: NonNeg
    expansion_lead_time_years: Annotated[int, Field(ge=0, le=30)]
    max_expansion_mw: NonNeg


class FiberLinkRow(_Row):
    """A fiber link between two sites (undirected; see docs/inputs.md, `fiber_links.csv`).

    `distance_km` blank: great-circle distance between the sites x the route factor (the
    row's `route_factor`, or parameter `network.route_factor` when that is blank too).
    """

    site_a: Id
    site_b: Id
    distance_km: Pos | None = None
    route_factor: Annotated[float, Field(ge=1.0, le=5.0, allow_inf_nan=False)] | None = None
    bandwidth_tbps: NonNeg


class SuperclusterRow(_Row):
    """One member site of a hand-named supercluster (see docs/inputs.md, `superclusters.csv`)."""

    supercluster: Id
    site: Id


class TimeSliceRow(_Row):
    """A representative time slice: its hours per year (see docs/inputs.md, `time_slices.csv`)."""

    slice: Id
    hours: Pos
    description: Text


class SliceProfileRow(_Row):
    """Region r's price and headroom in slice t, as multipliers (`slice_profiles.csv`)."""

    region: Id
    slice: Id
    price_multiplier: NonNeg
    headroom_multiplier: NonNeg


class TrainingRow(_Row):
    """The year's training run, hosted by one supercluster (or one site) (`training.csv`)."""

    year: Year
    supercluster: Id
    run_h100e_millions: NonNeg


class DemandRow(_Row):
    """Compute demand of one year, million H100e (dense BF16 basis; `demand.csv`)."""

    year: Year
    h100e_millions: NonNeg


class DemandTrancheRow(_Row):
    """One step of the value-of-compute curve (`demand_tranches.csv`): a share of every year's
    demand worth `value_usd_per_h100e_year` in the first horizon year, changing by
    `value_change_per_year` (a fraction, e.g. -0.15) each later year."""

    tranche: Id
    share_of_demand: Fraction
    value_usd_per_h100e_year: NonNeg
    value_change_per_year: Annotated[float, Field(gt=-1, le=10, allow_inf_nan=False)]


class CowosAllocationRow(_Row):
    """The most of the planner's CoWoS a generation's vendor gets (`cowos_allocation.csv`)."""

    generation: Id
    max_share_of_cowos: Fraction


class PowerTechnologyRow(_Row):
    """A power technology (see docs/inputs.md, `power_technologies.csv`)."""

    technology: Id
    name: Text
    kind: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^(onsite|contracted)$")]
    family: Id
    capex_usd_per_kw: NonNeg
    fixed_om_usd_per_kw_year: NonNeg
    variable_om_usd_per_mwh: NonNeg
    contract_price_usd_per_mwh: NonNeg
    heat_rate_mmbtu_per_mwh: Annotated[float, Field(ge=0, le=30, allow_inf_nan=False)]
    co2_t_per_mwh: Annotated[float, Field(ge=0, le=5, allow_inf_nan=False)]
    availability: Fraction
    capacity_credit: Fraction
    storage_hours: NonNeg
    lifetime_years: Annotated[int, Field(ge=1, le=100)]
    lead_time_years: Annotated[int, Field(ge=0, le=30)]
    earliest_year: Year | None = None
    site_limit: Id | None = None
    named_plants_only: Annotated[int, Field(ge=0, le=1)]
    gsu_mva_per_mw: NonNeg | None = None  # GSU rating per MW of an on-site unit (eq. T3); blank = none needed


class PowerTechnologySliceRow(_Row):
    """A technology's availability and capacity credit in one time slice (`power_technology_slices.csv`)."""

    technology: Id
    slice: Id
    availability: Fraction
    capacity_credit: Fraction


class PowerDeliveryRow(_Row):
    """MW of a technology family delivered per year and the planner's share (`power_deliveries.csv`)."""

    family: Id
    year: Year
    deliveries_mw_per_year: NonNeg
    planner_share: Fraction


class PowerPlantRow(_Row):
    """A named plant where a contracted technology (nuclear restart, uprate, PPA) is available (`power_plants.csv`)."""

    plant: Id
    name: Text
    technology: Id
    region: Id
    capacity_mw: NonNeg
    earliest_year: Year


@dataclass(frozen=True)
class Range:
    """A physically sensible range for a numeric column: generous (about 100x beyond today's
    largest real figure, or the physical limit) so that real scenarios to 2035 pass, tight
    enough that a slip of the keyboard (1e308, 5e-324) is caught before it reaches the LP."""

    lo: float
    hi: float
    unit: str
    why: str


RANGES: dict[tuple[str, str], Range] = {
    # supply.csv (world or US, per year)
    ("supply", "cowos_wafers_per_year"): Range(0, 1e8, "wafers/yr", "world CoWoS ~1e6 wafers/yr in 2026"),
    ("supply", "hbm_stacks_per_year"): Range(0, 1e11, "stacks/yr", "world HBM ~1e8 stacks/yr in 2026"),
    ("supply", "transformer_mva_per_year"): Range(0, 1e8, "MVA/yr", "US large transformers ~1e5 MVA/yr"),
    ("supply", "gas_turbine_mw_per_year"): Range(0, 1e7, "MW/yr", "world gas turbines ~7e4 MW/yr"),
    # gpus.csv (per GPU package)
    ("gpus", "it_power_kw_per_gpu"): Range(0.01, 100, "kW", "H100 1.4 kW, Rubin-class ~5 kW per package"),
    ("gpus", "dense_bf16_pflops_per_gpu"): Range(0.001, 10_000, "PFLOP/s", "H100 0.989, Rubin-class ~10-50"),
    ("gpus", "hbm_stacks_per_gpu"): Range(0, 256, "stacks", "H100 5, Rubin Ultra 16"),
    ("gpus", "packages_per_cowos_wafer"): Range(0.1, 1000, "packages/wafer", "Rubin-class ~4, H100 ~29"),
    ("gpus", "price_usd_per_gpu"): Range(0, 1e7, "USD", "H100 ~25,000 USD"),
    ("gpus", "lifetime_years"): Range(1, 30, "years", "accounting lives 4-6 years"),
    # regions.csv
    ("regions", "interconnection_cap_mw_per_year"): Range(0, 1e7, "MW/yr", "a state's large-load queue is ~1e4-1e5 MW"),
    ("regions", "headroom_mw_start"): Range(0, 1e7, "MW", "ERCOT peak load ~8.5e4 MW"),
    ("regions", "headroom_growth_mw_per_year"): Range(-1e6, 1e6, "MW/yr", "a few GW/yr at most today"),
    ("regions", "interconnection_capex_usd_per_kw"): Range(0, 1e5, "USD/kW", "typically 100-500 USD/kW"),
    ("regions", "power_price_usd_per_mwh"): Range(0, 1e4, "USD/MWh", "industrial ~60-110; ERCOT's cap 5,000"),
    ("regions", "gas_price_usd_per_mmbtu"): Range(0, 1000, "USD/MMBtu", "Henry Hub ~2-10"),
    # permitting.csv
    ("permitting", "extra_lead_time_years"): Range(-20, 20, "years", "state adders of a few years"),
    # sites.csv
    ("sites", "latitude"): Range(-90, 90, "degrees", "a latitude"),
    ("sites", "longitude"): Range(-180, 180, "degrees", "a longitude"),
    ("sites", "max_it_mw"): Range(0, 1e6, "MW", "the largest campuses plan ~5,000 MW"),
    ("sites", "max_grid_mw"): Range(0, 1e6, "MW", "the largest campuses plan ~7,500 MW"),
    ("sites", "max_onsite_gas_mw"): Range(0, 1e6, "MW", "the largest on-site plans are ~5,000 MW"),
    ("sites", "pue"): Range(1.0, 3.0, "-", "1.1-1.5 for AI campuses"),
    # pipeline.csv, gpu_pipeline.csv
    ("pipeline", "capacity"): Range(0, 1e6, "MW or MVA", "a campus phase is ~100-2,000 MW"),
    ("gpu_pipeline", "gpus"): Range(0, 1e9, "GPUs", "the largest clusters hold ~1e5-1e6 GPUs"),
    # transmission.csv
    ("transmission", "capacity_mw"): Range(0, 1e6, "MW", "interties are ~1e2-1e4 MW"),
    ("transmission", "reverse_capacity_mw"): Range(0, 1e6, "MW", "interties are ~1e2-1e4 MW"),
    ("transmission", "length_km"): Range(0.1, 20_000, "km", "half the Earth's circumference"),
    ("transmission", "loss_fraction"): Range(0, 1, "fraction", "1-5% per corridor"),
    ("transmission", "wheeling_usd_per_mwh"): Range(0, 1000, "USD/MWh", "a few USD/MWh"),
    ("transmission", "expansion_capex_usd_per_mw_km"): Range(0, 1e7, "USD/(MW km)", "~1,000-3,000 for HVDC"),
    ("transmission", "expansion_lead_time_years"): Range(0, 30, "years", "8-12 years for interstate lines"),
    ("transmission", "max_expansion_mw"): Range(0, 1e6, "MW", "~1e3-1e4 MW per corridor"),
    # fiber_links.csv
    ("fiber_links", "distance_km"): Range(0.001, 40_000, "km", "the Earth's circumference"),
    ("fiber_links", "route_factor"): Range(1.0, 5.0, "x", "1.3-1.5 for long-haul routes"),
    ("fiber_links", "bandwidth_tbps"): Range(0, 1e7, "Tbps", "4,000-20,000 Tbps between AI campuses"),
    # time_slices.csv, slice_profiles.csv, training.csv
    ("time_slices", "hours"): Range(0, 8760, "hours", "hours in a year"),
    ("slice_profiles", "price_multiplier"): Range(0, 100, "x", "0.5-3x the annual price"),
    ("slice_profiles", "headroom_multiplier"): Range(0, 10, "x", "0.5-1.5x the annual headroom"),
    ("training", "run_h100e_millions"): Range(0, 1e5, "million H100e", "frontier runs of ~0.1-10 million H100e"),
    # demand.csv, demand_tranches.csv, cowos_allocation.csv
    ("demand", "h100e_millions"): Range(0, 1e5, "million H100e", "US AI compute ~10-100 million H100e by 2030"),
    ("demand_tranches", "share_of_demand"): Range(0, 1, "fraction", "a share of demand"),
    ("demand_tranches", "value_usd_per_h100e_year"): Range(0, 1e7, "USD per H100e-year", "~10,000-30,000"),
    ("demand_tranches", "value_change_per_year"): Range(-1, 10, "fraction/yr", "-15% to +10% a year"),
    ("cowos_allocation", "max_share_of_cowos"): Range(0, 1, "fraction", "a share of CoWoS"),
    # power_technologies.csv, power_technology_slices.csv, power_deliveries.csv, power_plants.csv
    ("power_technologies", "capex_usd_per_kw"): Range(0, 1e5, "USD/kW", "gas ~1,000-2,500, nuclear ~6,000-12,000"),
    ("power_technologies", "fixed_om_usd_per_kw_year"): Range(0, 1e4, "USD/kW-yr", "~10-150"),
    ("power_technologies", "variable_om_usd_per_mwh"): Range(0, 1e4, "USD/MWh", "~0-10"),
    ("power_technologies", "contract_price_usd_per_mwh"): Range(0, 1e4, "USD/MWh", "PPAs ~50-130"),
    ("power_technologies", "heat_rate_mmbtu_per_mwh"): Range(0, 30, "MMBtu/MWh", "6-11 for gas"),
    ("power_technologies", "co2_t_per_mwh"): Range(0, 5, "t CO2/MWh", "~0.35-0.55 for gas"),
    ("power_technologies", "availability"): Range(0, 1, "fraction", "a fraction"),
    ("power_technologies", "capacity_credit"): Range(0, 1, "fraction", "a fraction"),
    ("power_technologies", "storage_hours"): Range(0, 1e4, "hours", "batteries 2-8 h"),
    ("power_technologies", "lifetime_years"): Range(1, 100, "years", "10-60 years"),
    ("power_technologies", "lead_time_years"): Range(0, 30, "years", "0-10 years"),
    ("power_technologies", "named_plants_only"): Range(0, 1, "0/1", "a flag"),
    ("power_technologies", "gsu_mva_per_mw"): Range(0, 5, "MVA/MW", "~1.1-1.25 for turbine generators"),
    ("power_technology_slices", "availability"): Range(0, 1, "fraction", "a fraction"),
    ("power_technology_slices", "capacity_credit"): Range(0, 1, "fraction", "a fraction"),
    ("power_deliveries", "deliveries_mw_per_year"): Range(0, 1e7, "MW/yr", "world gas turbines ~7e4 MW/yr"),
    ("power_deliveries", "planner_share"): Range(0, 1, "fraction", "a share"),
    ("power_plants", "capacity_mw"): Range(0, 1e6, "MW", "the largest plants are ~5,000 MW"),
}
"""Sensible range of every numeric column, by (table, column): checked on every row after its type
(documented in docs/inputs.md). A new table's numeric columns join this table (a test checks)."""


@dataclass(frozen=True)
class TableSpec:
    """A CSV table: its row model, key columns, and whether the scenario must have it."""

    name: str
    row_model: type[_Row]
    key: tuple[str, ...]
    required: bool = True

    @property
    def file(self) -> str:
        return f"{self.name}.csv"

    @property
    def columns(self) -> list[str]:
        return list(self.row_model.model_fields)


TABLES: dict[str, TableSpec] = {
    t.name: t
    for t in (
        TableSpec("parameters", ParameterRow, ("name",)),
        TableSpec("supply", SupplyRow, ("year",)),
        TableSpec("gpus", GpuRow, ("generation",)),
        TableSpec("regions", RegionRow, ("region",)),
        TableSpec("permitting", PermittingRow, ("region", "asset"), required=False),
        TableSpec("sites", SiteRow, ("site",)),
        TableSpec("pipeline", PipelineRow, ("site", "asset", "online_year"), required=False),
        TableSpec("gpu_pipeline", GpuPipelineRow, ("site", "generation", "install_year"), required=False),
        TableSpec("transmission", TransmissionRow, ("from_region", "to_region"), required=False),
        TableSpec("fiber_links", FiberLinkRow, ("site_a", "site_b"), required=False),
        TableSpec("superclusters", SuperclusterRow, ("supercluster", "site"), required=False),
        TableSpec("time_slices", TimeSliceRow, ("slice",), required=False),
        TableSpec("training", TrainingRow, ("year",), required=False),
        TableSpec("demand", DemandRow, ("year",), required=False),
        TableSpec("demand_tranches", DemandTrancheRow, ("tranche",), required=False),
        TableSpec("cowos_allocation", CowosAllocationRow, ("generation",), required=False),
        TableSpec("slice_profiles", SliceProfileRow, ("region", "slice"), required=False),
        TableSpec("power_technologies", PowerTechnologyRow, ("technology",), required=False),
        TableSpec("power_technology_slices", PowerTechnologySliceRow, ("technology", "slice"), required=False),
        TableSpec("power_deliveries", PowerDeliveryRow, ("family", "year"), required=False),
        TableSpec("power_plants", PowerPlantRow, ("plant",), required=False),
    )
}


@dataclass(frozen=True)
class ParamSpec:
    """A scalar parameter of parameters.csv: its unit, allowed range and, for an optional
    parameter, the default used when parameters.csv has no row for it. `off` is one value outside
    the range that switches the parameter off (`off_means` says what it then does): -1 for "no
    CO2 cap"; any other value outside [lo, hi] is refused."""

    unit: str
    lo: float | None = 0.0
    hi: float | None = None
    integer: bool = False
    default: float | None = None
    legacy: bool = False  # a gas-turbine parameter: required without power_technologies.csv, refused with it
    gsu: bool = False  # a GSU parameter: required when an on-site technology needs GSUs (GSU_PARAMETERS)
    off: float | None = None
    off_means: str = ""

    @property
    def optional(self) -> bool:
        return self.default is not None


def _param_specs() -> dict[str, ParamSpec]:
    p: dict[str, ParamSpec] = {
        "horizon.start_year": ParamSpec("year", 2000, 2100, integer=True),
        "horizon.end_year": ParamSpec("year", 2000, 2100, integer=True),
        "discount_rate": ParamSpec("1/yr", 0.0, 0.5),
        "demand.start_h100e_millions": ParamSpec("million H100e", 0.0, 1e5),
        "demand.growth_per_year": ParamSpec("x per year", 0.0, 10.0),
        "demand.unmet_penalty_usd_per_h100e_year": ParamSpec("USD per H100e-year", 0.0, 1e7),
        "transformer.mva_per_mw": ParamSpec("MVA/MW", 0.0, 5.0),
        "capex_usd_per_kw.shell": ParamSpec("USD/kW", 0.0, 1e5),
        "capex_usd_per_kva.transformer": ParamSpec("USD/kVA", 0.0, 1e4),
        # the campus HV substation beside its transformers, per kW of grid interconnection (0: none)
        "capex_usd_per_kw.substation": ParamSpec("USD/kW", 0.0, 1e4, default=0.0),
        f"capex_usd_per_kva.{GSU_ASSET}": ParamSpec("USD/kVA", 0.0, 1e4, gsu=True),
        f"lead_time_years.{GSU_ASSET}": ParamSpec("years", 0, 30, integer=True, gsu=True),
        f"lifetime_years.{GSU_ASSET}": ParamSpec("years", 1, 100, integer=True, gsu=True),
        "capex_usd_per_wafer_year.cowos_expansion": ParamSpec("USD per wafer/yr", 0.0, 1e9),
        "capex_usd_per_stack_year.hbm_expansion": ParamSpec("USD per stack/yr", 0.0, 1e9),
        "fixed_om_usd_per_kw_year.shell": ParamSpec("USD/kW-yr", 0.0, 1e4),
        "operations.load_factor": ParamSpec("fraction", 0.0, 1.0),
        "power_price.escalation_per_year": ParamSpec("fraction/yr", -0.5, 0.5),
    }
    for share in ("cowos", "hbm", "transformer"):
        p[f"planner_share.{share}"] = ParamSpec("fraction", 0.0, 1.0)
    for asset in CORE_SITE_ASSETS + GLOBAL_ASSETS:
        p[f"lead_time_years.{asset}"] = ParamSpec("years", 0, 30, integer=True)
        p[f"lifetime_years.{asset}"] = ParamSpec("years", 1, 100, integer=True)
    p.update(LEGACY_GAS_PARAMETERS)
    # power portfolio (optional): reserve margin of sites without a grid tie; CO2 price and cap
    p["power.islanded_reserve_margin"] = ParamSpec("fraction", 0.0, 2.0, default=0.0)
    p["co2.price_usd_per_t"] = ParamSpec("USD/t CO2", 0.0, 1e5, default=0.0)
    # -1 (default): no cap. Per state: co2.cap_mt_per_year.<region> (see param_spec)
    p["co2.cap_mt_per_year"] = ParamSpec("Mt CO2 per year", 0.0, 1e5, default=-1, off=-1, off_means="no cap")
    # training across a supercluster (optional)
    p["network.training_bits_per_flop"] = ParamSpec("bit/FLOP", 0.0, 1e-3, default=8.5e-7)
    p["training.utilization"] = ParamSpec("fraction", 0.0, 1.0, default=0.4)
    p["training.run_days"] = ParamSpec("days", 1, 366, default=100)
    # -1 (default): the value of the most valuable demand tranche
    p["training.unmet_penalty_usd_per_h100e_year"] = ParamSpec(
        "USD per H100e-year", 0.0, 1e10, default=-1, off=-1, off_means="the most valuable demand tranche's value"
    )
    # transmission expansion (optional)
    p["lifetime_years.transmission"] = ParamSpec("years", 1, 100, integer=True, default=40)
    # hard modes (optional, off by default): a binding compute target; installed GPUs must run
    p["demand.hard_target"] = ParamSpec("0/1", 0, 1, integer=True, default=0)
    p["operations.pipeline_gpus_must_run"] = ParamSpec("0/1", 0, 1, integer=True, default=0)
    # 1: demand = start x growth^(y - y0) even when demand.csv is present (also implied by an
    # override of demand.start_h100e_millions or demand.growth_per_year)
    p["demand.use_growth"] = ParamSpec("0/1", 0, 1, integer=True, default=0)
    # network layer: optional, with the defaults of docs/network.md
    p["network.latency_budget_ms"] = ParamSpec("ms", 0.0, 1000.0, default=NETWORK_DEFAULTS["network.latency_budget_ms"])
    p["network.fiber_us_per_km"] = ParamSpec("us/km", 3.3, 10.0, default=NETWORK_DEFAULTS["network.fiber_us_per_km"])
    p["network.route_factor"] = ParamSpec("x", 1.0, 5.0, default=NETWORK_DEFAULTS["network.route_factor"])
    return p


LEGACY_GAS_PARAMETERS: dict[str, ParamSpec] = {
    "capex_usd_per_kw.gas_turbine": ParamSpec("USD/kW", 0.0, 1e5, legacy=True),
    "fixed_om_usd_per_kw_year.gas_turbine": ParamSpec("USD/kW-yr", 0.0, 1e4, legacy=True),
    "gas_turbine.heat_rate_mmbtu_per_mwh": ParamSpec("MMBtu/MWh", 0.0, 30.0, legacy=True),
    "gas_turbine.variable_om_usd_per_mwh": ParamSpec("USD/MWh", 0.0, 1e4, legacy=True),
    "gas_turbine.availability": ParamSpec("fraction", 0.0, 1.0, legacy=True),
    "planner_share.gas_turbine": ParamSpec("fraction", 0.0, 1.0, legacy=True),
    "lead_time_years.gas_turbine": ParamSpec("years", 0, 30, integer=True, legacy=True),
    "lifetime_years.gas_turbine": ParamSpec("years", 1, 100, integer=True, legacy=True),
}
"""The one-technology gas turbine of scenarios without power_technologies.csv; with that table
each of these is a column of its rows (LEGACY_COLUMN says which)."""

LEGACY_COLUMN = {
    "capex_usd_per_kw.gas_turbine": "power_technologies.csv column capex_usd_per_kw",
    "fixed_om_usd_per_kw_year.gas_turbine": "power_technologies.csv column fixed_om_usd_per_kw_year",
    "gas_turbine.heat_rate_mmbtu_per_mwh": "power_technologies.csv column heat_rate_mmbtu_per_mwh",
    "gas_turbine.variable_om_usd_per_mwh": "power_technologies.csv column variable_om_usd_per_mwh",
    "gas_turbine.availability": "power_technologies.csv columns availability and capacity_credit",
    "planner_share.gas_turbine": "power_deliveries.csv column planner_share",
    "lead_time_years.gas_turbine": "power_technologies.csv column lead_time_years",
    "lifetime_years.gas_turbine": "power_technologies.csv column lifetime_years",
}

CO2_STATE_CAP_PREFIX = "co2.cap_mt_per_year."


def param_spec(name: str) -> ParamSpec | None:
    """The spec of parameter `name`, including per-state CO2 caps `co2.cap_mt_per_year.<region>`."""
    if name in PARAMETERS:
        return PARAMETERS[name]
    if name.startswith(CO2_STATE_CAP_PREFIX) and len(name) > len(CO2_STATE_CAP_PREFIX):
        return PARAMETERS["co2.cap_mt_per_year"]
    return None


PARAMETERS: dict[str, ParamSpec] = _param_specs()
