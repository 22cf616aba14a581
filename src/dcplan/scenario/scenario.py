"""The validated scenario: typed tables, scalar parameters, and derived series."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

H100_REFERENCE_PFLOPS = 0.989
"""Dense BF16 PFLOP/s of one H100 SXM: the unit of H100-equivalents (Epoch AI chip_types)."""


@dataclass
class Scenario:
    """A scenario ready to build: validated tables (typed DataFrames) and parameters.

    Build one with :func:`dcplan.load_scenario` or :func:`dcplan.scenario_from_tables`.
    """

    name: str
    tables: dict[str, pd.DataFrame]
    params: dict[str, float]
    description: str = ""
    folder: Path | None = None
    overrides: dict = field(default_factory=dict)

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
        """Present-value factor of a cost in `year`, discounted to the first horizon year."""
        return (1.0 + self.params["discount_rate"]) ** -(year - self.start_year)

    def crf(self, lifetime_years: float) -> float:
        """Capital recovery factor: annual payment per unit capex over `lifetime_years`."""
        r = self.params["discount_rate"]
        n = lifetime_years
        if r == 0:
            return 1.0 / n
        return r / (1.0 - (1.0 + r) ** -n)

    # ----- tables --------------------------------------------------------------------------
    @cached_property
    def sites(self) -> pd.DataFrame:
        return self.tables["sites"].set_index("site")

    @cached_property
    def regions(self) -> pd.DataFrame:
        return self.tables["regions"].set_index("region")

    @cached_property
    def gpus(self) -> pd.DataFrame:
        """GPU generations indexed by id, with an added `h100e_per_gpu` column."""
        g = self.tables["gpus"].set_index("generation").copy()
        g["h100e_per_gpu"] = g["dense_bf16_pflops_per_gpu"] / H100_REFERENCE_PFLOPS
        return g

    @cached_property
    def supply(self) -> pd.DataFrame:
        return self.tables["supply"].set_index("year")

    @cached_property
    def site_region(self) -> dict[str, str]:
        return dict(zip(self.tables["sites"]["site"], self.tables["sites"]["region"]))

    # ----- derived series ------------------------------------------------------------------
    def lead_time(self, asset: str, region: str | None = None) -> int:
        """Lead time (years, decision to online) of `asset`, with the region's permitting adder."""
        base = int(self.params[f"lead_time_years.{asset}"])
        if region is None:
            return base
        return base + self._permitting.get((region, asset), 0)

    @cached_property
    def _permitting(self) -> dict[tuple[str, str], int]:
        perm = self.tables.get("permitting")
        if perm is None:
            return {}
        return {(r, a): int(x) for r, a, x in zip(perm["region"], perm["asset"], perm["extra_lead_time_years"])}

    def demand_h100e_millions(self, year: int) -> float:
        """Compute the fleet must deliver in `year`, million H100e."""
        p = self.params
        return p["demand.start_h100e_millions"] * p["demand.growth_per_year"] ** (year - self.start_year)

    def headroom_mw(self, region: str, year: int) -> float:
        """MW of large load the region's grid can serve in `year` (never below zero)."""
        r = self.region_spec[region]
        return max(0.0, r["headroom_mw_start"] + r["headroom_growth_mw_per_year"] * (year - self.start_year))

    def power_price_usd_per_mwh(self, region: str, year: int) -> float:
        """Electricity price in `region` and `year` (base price escalated from the start year)."""
        base = self.region_spec[region]["power_price_usd_per_mwh"]
        return base * (1.0 + self.params["power_price.escalation_per_year"]) ** (year - self.start_year)

    @cached_property
    def _pipeline(self) -> dict[tuple[str, str], list[tuple[int, float]]]:
        out: dict[tuple[str, str], list[tuple[int, float]]] = {}
        pl = self.tables.get("pipeline")
        if pl is not None:
            for site, asset, y, cap in zip(pl["site"], pl["asset"], pl["online_year"], pl["capacity"]):
                out.setdefault((site, asset), []).append((int(y), float(cap)))
        return out

    def pipeline_capacity(self, site: str, asset: str, year: int) -> float:
        """Pipeline capacity of `asset` at `site` online in `year` (MW, MVA for transformers)."""
        return sum(cap for y, cap in self._pipeline.get((site, asset), ()) if y <= year)

    @cached_property
    def gpu_spec(self) -> dict[str, dict]:
        """GPU generation rows as plain dicts (fast lookups while building the model)."""
        return self.gpus.to_dict("index")

    @cached_property
    def region_spec(self) -> dict[str, dict]:
        """Region rows as plain dicts (fast lookups while building the model)."""
        return self.regions.to_dict("index")

    # ----- time slices ---------------------------------------------------------------------
    @cached_property
    def slices(self) -> dict[str, float]:
        """Representative time slices and their hours per year (one slice 'year' by default)."""
        ts = self.tables.get("time_slices")
        if ts is None or not len(ts):
            return {"year": 8760.0}
        return {str(k): float(h) for k, h in zip(ts["slice"], ts["hours"])}

    @cached_property
    def _profiles(self) -> dict[tuple[str, str], tuple[float, float]]:
        sp = self.tables.get("slice_profiles")
        if sp is None or not len(sp):
            return {}
        return {
            (r, t): (float(pm), float(hm))
            for r, t, pm, hm in zip(sp["region"], sp["slice"], sp["price_multiplier"], sp["headroom_multiplier"])
        }

    def slice_price_usd_per_mwh(self, region: str, year: int, slice_: str) -> float:
        """Electricity price in `region`, `year` and time slice (base x escalation x multiplier)."""
        return self.power_price_usd_per_mwh(region, year) * self._profiles.get((region, slice_), (1.0, 1.0))[0]

    def slice_headroom_mw(self, region: str, year: int, slice_: str) -> float:
        """Large-load headroom of `region` in `year` and time slice."""
        return self.headroom_mw(region, year) * self._profiles.get((region, slice_), (1.0, 1.0))[1]

    def with_overrides(self, overrides: dict) -> Scenario:
        """A new scenario with `overrides` applied (same rules as scenario.yaml's overrides)."""
        from dcplan.scenario.load import scenario_from_tables

        merged = {**self.overrides, **overrides}
        return scenario_from_tables(
            self.raw_tables, name=self.name, description=self.description, overrides=merged,
            solver_options=self.solver_options,
        )

    raw_tables: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)
    solver_options: dict = field(default_factory=dict)
    """HiGHS options (scenario.yaml's ``solver:``), checked and typed; see scenario/solver_options.py."""
