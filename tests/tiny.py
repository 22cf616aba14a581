"""A tiny scenario whose optimum can be worked out by hand.

Base case: one site `s1` in Texas, one GPU generation `g1` (1 H100e, 1 kW IT, 1 HBM stack,
10 packages per CoWoS wafer, $1,000, life 1 year), a one-year horizon (2026), zero discount
rate, zero lead times, zero asset and energy costs (CoWoS/HBM expansion prohibitively dear), supplies and limits far from binding,
PUE 1, shell/grid/transformer pipeline of 10 GW online since 2020, and no on-site gas
(`max_onsite_gas_mw` = 0). Demand is 1,000 H100e
at a penalty of $10,000 per unmet H100e-year. So the optimum ships 1,000 GPUs for $1,000,000.
Each test changes a few cells through `overrides` (the same paths as scenario.yaml).
"""

from __future__ import annotations

from dcplan.scenario.schema import param_spec

import pandas as pd

from dcplan import scenario_from_tables

BIG = 1e7
SRC = {"source": "assumption: tiny test case", "source_year": 2026}


def _rows(rows):
    return pd.DataFrame([{**r, **SRC} for r in rows])


def tiny_tables() -> dict[str, pd.DataFrame]:
    params = {
        "horizon.start_year": 2026, "horizon.end_year": 2026, "discount_rate": 0.0,
        "demand.start_h100e_millions": 0.001, "demand.growth_per_year": 1.0,
        "demand.unmet_penalty_usd_per_h100e_year": 10_000,
        "planner_share.cowos": 1.0, "planner_share.hbm": 1.0, "planner_share.gas_turbine": 1.0,
        "planner_share.transformer": 1.0,
        "transformer.mva_per_mw": 1.0,
        "capex_usd_per_kw.shell": 0, "capex_usd_per_kva.transformer": 0, "capex_usd_per_kw.gas_turbine": 0,
        "capex_usd_per_wafer_year.cowos_expansion": 1e9, "capex_usd_per_stack_year.hbm_expansion": 1e9,
        "fixed_om_usd_per_kw_year.shell": 0, "fixed_om_usd_per_kw_year.gas_turbine": 0,
        "gas_turbine.heat_rate_mmbtu_per_mwh": 0, "gas_turbine.variable_om_usd_per_mwh": 0,
        "gas_turbine.availability": 1.0, "operations.load_factor": 1.0, "power_price.escalation_per_year": 0.0,
    }
    for a in ("shell", "grid_interconnection", "transformer", "gas_turbine", "cowos_expansion", "hbm_expansion"):
        params[f"lead_time_years.{a}"] = 0
        params[f"lifetime_years.{a}"] = 10
    parameters = _rows([{"name": k, "value": v, "unit": param_spec(k).unit, "description": "-"} for k, v in params.items()])
    supply = _rows(
        [
            {"year": y, "cowos_wafers_per_year": BIG, "hbm_stacks_per_year": BIG, "transformer_mva_per_year": BIG,
             "gas_turbine_mw_per_year": BIG}
            for y in range(2026, 2031)
        ]
    )
    gpus = _rows(
        [
            {"generation": "g1", "name": "G1", "first_year": 2026, "last_year": 2030, "it_power_kw_per_gpu": 1.0,
             "dense_bf16_pflops_per_gpu": 0.989, "hbm_stacks_per_gpu": 1, "packages_per_cowos_wafer": 10,
             "price_usd_per_gpu": 1000, "lifetime_years": 1},
        ]
    )
    regions = _rows(
        [
            {"region": "TX", "name": "Texas", "iso": "ERCOT", "interconnection_cap_mw_per_year": BIG,
             "headroom_mw_start": BIG, "headroom_growth_mw_per_year": 0, "interconnection_capex_usd_per_kw": 0,
             "power_price_usd_per_mwh": 0, "gas_price_usd_per_mmbtu": 0},
        ]
    )
    sites = _rows(
        [
            {"site": "s1", "name": "Site 1", "region": "TX", "latitude": 32.45, "longitude": -99.73, "operator": "test",
             "max_it_mw": 20_000, "max_grid_mw": 20_000, "max_onsite_gas_mw": 0, "pue": 1.0},
        ]
    )
    pipeline = _rows(
        [
            {"site": "s1", "asset": "shell", "online_year": 2020, "capacity": 10_000, "unit": "MW"},
            {"site": "s1", "asset": "grid_interconnection", "online_year": 2020, "capacity": 10_000, "unit": "MW"},
            {"site": "s1", "asset": "transformer", "online_year": 2020, "capacity": 10_000, "unit": "MVA"},
        ]
    )
    return {"parameters": parameters, "supply": supply, "gpus": gpus, "regions": regions, "sites": sites, "pipeline": pipeline}


def tiny(overrides: dict | None = None, drop_pipeline: tuple[str, ...] = (), **tables):
    """The tiny scenario with `overrides`, without the pipeline rows of `drop_pipeline` assets,
    and with any table replaced by a keyword argument."""
    t = tiny_tables()
    t.update(tables)
    if drop_pipeline:
        t["pipeline"] = t["pipeline"][~t["pipeline"]["asset"].isin(drop_pipeline)].reset_index(drop=True)
    return scenario_from_tables(t, name="tiny", overrides=overrides or {})
