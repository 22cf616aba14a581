"""Benchmark instances generated reproducibly from the bundled default.

``instance("small")`` is the default itself. ``medium`` (~100 sites) and ``large`` (~500 sites,
12 time slices) copy every default site (with its pipeline, GPU pipeline, fiber links and named
superclusters) `copies` times under new ids, `copies` chosen from the default's number of sites
(:data:`INSTANCES`), so the US build-out is planned over many more campuses:

- each copy's coordinates are the original's moved by a seeded jitter of up to
  ``COORD_JITTER_DEG`` degrees, kept only where the point stays inside the site's state (Census
  boundaries, the same check validation runs); otherwise the original's coordinates are used;
- each copy's site limits (``max_it_mw``, ``max_grid_mw``, ``max_onsite_gas_mw``) are scaled
  by a seeded factor in [1, 1 + ``LIMIT_JITTER``) (never below the original, so the pipeline
  still fits) and its PUE by a factor in [1 - ``PUE_JITTER``, 1 + ``PUE_JITTER``], so copies are
  not exact ties;
- everything the sites share scales with the number of copies: regional interconnection caps
  and headroom, transmission capacities and expansion limits, world supply (CoWoS, HBM,
  transformers, turbines) and demand (``demand.csv``'s path, or the start year's demand where the
  base plans from start x growth). The LP is then about `copies`
  times the default's, with the same kinds of constraint binding;
- ``large`` also splits the default's five time slices into twelve (hours kept, price and
  headroom multipliers spread around the parent slice's so their hours-weighted mean is kept;
  each part keeps its parent's technology availability and capacity credit).

Same size and seed, same scenario. Print an instance's LP size (rows, columns, nonzeros) with
``python benchmarks/bench_instances.py medium``. These are benchmark inputs, not a planning
scenario: the jittered numbers are assumptions of the generator (their ``source`` says so).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dcplan.scenario.load import load_scenario, scenario_from_tables
from dcplan.scenario.scenario import Scenario

COORD_JITTER_DEG = 0.2
LIMIT_JITTER = 0.2
PUE_JITTER = 0.02


@dataclass(frozen=True)
class InstanceSpec:
    """How an instance is made from the default."""

    copies: int
    """Copies of every default site (1 = the default's sites only)."""
    slices: int | None
    """Time slices per year (None: the default's)."""


@dataclass(frozen=True)
class NamedInstance:
    """A named instance: about `sites` sites (None: the default's own) and `slices` time slices."""

    sites: int | None
    slices: int | None

    def spec(self, base_sites: int) -> InstanceSpec:
        """Copies of a default of `base_sites` sites nearest to :attr:`sites` (halves up, at least 1),
        so the instance keeps its size as the default's site list grows."""
        copies = 1 if self.sites is None else max(1, math.floor(self.sites / base_sites + 0.5))
        return InstanceSpec(copies=copies, slices=self.slices)


INSTANCES: dict[str, NamedInstance] = {
    "small": NamedInstance(sites=None, slices=None),
    "medium": NamedInstance(sites=100, slices=None),
    "large": NamedInstance(sites=500, slices=12),
}
"""small = the default (10 years, 5 slices); medium ~100 sites; large ~500 sites, 12 slices."""


def instance_spec(size: str, base: Scenario) -> InstanceSpec:
    """How instance `size` is made from `base` (its copies follow `base`'s number of sites)."""
    if size not in INSTANCES:
        raise ValueError(f"unknown instance '{size}'; expected one of: {', '.join(INSTANCES)}")
    return INSTANCES[size].spec(len(base.tables["sites"]))


def _num(df: pd.DataFrame, col: str) -> pd.Series:
    return pd.to_numeric(df[col].replace("", np.nan), errors="raise")


def _scale_cols(df: pd.DataFrame, cols: list[str], factor: float) -> pd.DataFrame:
    out = df.copy()
    for c in cols:
        if c in out:
            out[c] = _num(out, c) * factor
    return out


def _jittered_coordinates(sites: pd.DataFrame, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Latitude and longitude moved by up to COORD_JITTER_DEG, where the point stays in its state."""
    from dcplan.geo.sites import site_states

    lat, lon = _num(sites, "latitude").to_numpy(), _num(sites, "longitude").to_numpy()
    dlat = rng.uniform(-COORD_JITTER_DEG, COORD_JITTER_DEG, len(sites))
    dlon = rng.uniform(-COORD_JITTER_DEG, COORD_JITTER_DEG, len(sites))
    moved = pd.DataFrame({"latitude": np.round(lat + dlat, 4), "longitude": np.round(lon + dlon, 4)})
    inside = (site_states(moved).to_numpy() == sites["region"].astype(str).to_numpy())
    return np.where(inside, moved["latitude"], lat), np.where(inside, moved["longitude"], lon)


def _replicate_sites(t: dict[str, pd.DataFrame], n: int, rng: np.random.Generator) -> None:
    """Copy every site and what hangs off it n times (copy 0 keeps the original ids)."""
    if n == 1:
        return
    base = t["sites"]
    site_frames = [base]
    note = "; benchmark instance (dcplan.scenario.instances): copy {i} of this site, coordinates and limits jittered (assumption)"
    for i in range(1, n):
        s = base.copy()
        s["site"] = s["site"] + f"_r{i}"
        s["name"] = s["name"] + f" (copy {i})"
        s["latitude"], s["longitude"] = _jittered_coordinates(base, rng)
        for c in ("max_it_mw", "max_grid_mw", "max_onsite_gas_mw"):
            s[c] = np.round(_num(base, c) * rng.uniform(1.0, 1.0 + LIMIT_JITTER, len(s)), 1)
        s["pue"] = np.round(_num(base, "pue") * rng.uniform(1 - PUE_JITTER, 1 + PUE_JITTER, len(s)), 3).clip(1.0, 3.0)
        s["source"] = s["source"] + note.format(i=i)
        site_frames.append(s)
    t["sites"] = pd.concat(site_frames, ignore_index=True)
    for name, cols in (("pipeline", ["site"]), ("gpu_pipeline", ["site"]), ("fiber_links", ["site_a", "site_b"])):
        if name in t:
            copies = [t[name]]
            for i in range(1, n):
                df = t[name].copy()
                for c in cols:
                    df[c] = df[c] + f"_r{i}"
                copies.append(df)
            t[name] = pd.concat(copies, ignore_index=True)
    if "superclusters" in t:
        copies = [t["superclusters"]]
        for i in range(1, n):
            df = t["superclusters"].copy()
            df["supercluster"] = df["supercluster"] + f"_r{i}"
            df["site"] = df["site"] + f"_r{i}"
            copies.append(df)
        t["superclusters"] = pd.concat(copies, ignore_index=True)
    # what the sites share grows with them
    t["regions"] = _scale_cols(t["regions"], ["interconnection_cap_mw_per_year", "headroom_mw_start", "headroom_growth_mw_per_year"], n)
    if "transmission" in t:
        t["transmission"] = _scale_cols(t["transmission"], ["capacity_mw", "reverse_capacity_mw", "max_expansion_mw"], n)
    t["supply"] = _scale_cols(
        t["supply"], ["cowos_wafers_per_year", "hbm_stacks_per_year", "transformer_mva_per_year", "gas_turbine_mw_per_year"], n
    )
    if "power_deliveries" in t:  # power technology deliveries and named plants (power_technologies.csv scenarios)
        t["power_deliveries"] = _scale_cols(t["power_deliveries"], ["deliveries_mw_per_year"], n)
    if "power_plants" in t:
        t["power_plants"] = _scale_cols(t["power_plants"], ["capacity_mw"], n)


def _split_slices(t: dict[str, pd.DataFrame], n_slices: int) -> None:
    """Split the default's time slices into `n_slices`, the longest first, keeping every slice's
    hours and its hours-weighted price and headroom multipliers."""
    ts = t["time_slices"]
    hours = dict(zip(ts["slice"], _num(ts, "hours"), strict=True))
    parts = dict.fromkeys(hours, 1)
    while sum(parts.values()) < n_slices:
        # split the slice whose parts are longest
        s = max(parts, key=lambda k: (hours[k] / parts[k], k))
        parts[s] += 1
    rows, prof_rows = [], []
    sp = t["slice_profiles"]
    for s, r in ts.set_index("slice").iterrows():
        m = parts[s]
        # spread factors around 1 with mean 1: price higher where headroom is lower
        spread = np.linspace(-0.1, 0.1, m) if m > 1 else np.zeros(1)
        for k in range(m):
            new = s if m == 1 else f"{s}_{k + 1}"
            rows.append({**r.to_dict(), "slice": new, "hours": hours[s] / m,
                         "description": f"{r['description']} (part {k + 1} of {m}, benchmark instance)"})
            for _, p in sp[sp["slice"] == s].iterrows():
                prof_rows.append({
                    **p.to_dict(), "slice": new,
                    "price_multiplier": round(float(p["price_multiplier"]) * (1 + spread[k]), 6),
                    "headroom_multiplier": round(float(p["headroom_multiplier"]) * (1 - spread[k]), 6),
                })
    t["time_slices"] = pd.DataFrame(rows)[list(ts.columns)]
    t["slice_profiles"] = pd.DataFrame(prof_rows)[list(sp.columns)]
    tsl = t.get("power_technology_slices")
    if tsl is not None and len(tsl):  # each part keeps its parent slice's availability and capacity credit
        new_names = {s: [s] if parts[s] == 1 else [f"{s}_{k + 1}" for k in range(parts[s])] for s in parts}
        t["power_technology_slices"] = pd.DataFrame(
            [{**r, "slice": n} for r in tsl.to_dict("records") for n in new_names.get(str(r["slice"]).strip(), [r["slice"]])],
            columns=tsl.columns,
        )


def _tables(spec: InstanceSpec, seed: int, base: Scenario) -> tuple[dict[str, pd.DataFrame], dict]:
    t = {k: v.copy() for k, v in base.raw_tables.items()}
    rng = np.random.default_rng(seed)
    _replicate_sites(t, spec.copies, rng)
    if spec.slices is not None:
        _split_slices(t, spec.slices)
    over = dict(base.overrides)
    if base.demand_from_growth or "demand" not in t:
        over["demand.start_h100e_millions"] = base.params["demand.start_h100e_millions"] * spec.copies
    else:  # the default's own demand path (demand.csv), scaled with the sites
        t["demand"] = _scale_cols(t["demand"], ["h100e_millions"], spec.copies)
    return t, over


def instance_tables(size: str = "small", seed: int = 0, base: Scenario | None = None) -> tuple[dict[str, pd.DataFrame], dict]:
    """The tables (strings, as read from CSV) and overrides of instance `size` (see
    :data:`INSTANCES`), made from `base` (default: the bundled default scenario)."""
    base = base if base is not None else load_scenario()
    return _tables(instance_spec(size, base), seed, base)


def scaled_instance(copies: int, slices: int | None = None, seed: int = 0, base: Scenario | None = None) -> Scenario:
    """The default with every site copied `copies` times and `slices` time slices (None: the
    default's), made as the named instances are; for scaling curves between them."""
    base = base if base is not None else load_scenario()
    t, over = _tables(InstanceSpec(copies, slices), seed, base)
    name = f"x{copies}" + (f"-{slices}slices" if slices else "") + f"-seed{seed}"
    return scenario_from_tables(t, name=name, description=f"benchmark instance {name}", overrides=over)


def instance(size: str = "small", seed: int = 0) -> Scenario:
    """Benchmark instance `size` ('small', 'medium' or 'large'), validated; reproducible from
    `size` and `seed`. 'small' is the bundled default itself."""
    if size not in INSTANCES:
        raise ValueError(f"unknown instance '{size}'; expected one of: {', '.join(INSTANCES)}")
    if size == "small":
        return load_scenario()
    t, over = instance_tables(size, seed)
    return scenario_from_tables(t, name=f"{size}-seed{seed}", description=f"benchmark instance {size} (seed {seed})", overrides=over)
