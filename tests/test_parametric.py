"""The parametric arrays (solve/parametric.py) equal LinearStandardFormCompiler's exactly.

The Pyomo model is the formulation and the oracle: on random scenarios (the property test's
change sets, a training run across a supercluster, a hard demand target with must-run GPUs),
after an in-place parameter change, every matrix coefficient, cost, offset and row and column
bound the engine hands HiGHS is the one Pyomo's compiler derives, bit for bit.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest
from test_resolve_property import base_tables, change_set
from test_training import BITS_PER_FLOP, two_state_tables
from tiny import SRC

from dcplan import scenario_from_tables
from dcplan.model.build import build_model, update_params
from dcplan.model.coefficients import param_values
from dcplan.model.sets import build_sets
from dcplan.solve.highs import compile_lp
from dcplan.solve.parametric import ParametricLP


def assert_same_arrays(model, par: ParametricLP, values) -> None:
    """The parametric arrays for `values` against LinearStandardFormCompiler on `model` (holding `values`)."""
    ref = compile_lp(model)
    got = par.arrays(values)
    col = {id(v): j for j, v in enumerate(par.columns)}
    row = {id(c): r for r, (c, _) in enumerate(par.rows)}
    jj = np.array([col[id(v)] for v in ref.columns], dtype=int)
    rr = np.array([row[id(c)] for c, _ in ref.rows], dtype=int)
    # LSFC drops columns and rows that are empty at these values; ours keep them (explicit zeros)
    A = par.matrix(got.a_values)
    np.testing.assert_array_equal(A.toarray()[np.ix_(rr, jj)], ref.A.toarray())
    dropped_rows = np.setdiff1d(np.arange(len(par.rows)), rr)
    dropped_cols = np.setdiff1d(np.arange(len(par.columns)), jj)
    assert not A[dropped_rows].count_nonzero() if len(dropped_rows) else True
    assert not A[:, dropped_cols].count_nonzero() if len(dropped_cols) else True
    np.testing.assert_array_equal(got.c[jj], ref.c)
    assert not np.any(got.c[dropped_cols])
    assert got.offset == ref.offset
    np.testing.assert_array_equal(got.row_lower[rr], ref.row_lower)
    np.testing.assert_array_equal(got.row_upper[rr], ref.row_upper)
    np.testing.assert_array_equal(got.col_lower[jj], ref.col_lower)
    np.testing.assert_array_equal(got.col_upper[jj], ref.col_upper)


def _training_case():
    t = two_state_tables(0.5)
    t["training"] = pd.DataFrame([{"year": 2026, "supercluster": "c", "run_h100e_millions": 0.0015, **SRC}])
    over = {"regions.TX.headroom_mw_start": 1, "regions.OK.headroom_mw_start": 1, "demand.start_h100e_millions": 0.0015,
            "network.training_bits_per_flop": BITS_PER_FLOP}
    return scenario_from_tables(t, overrides=over), {"fiber_links.s1.s2.bandwidth_tbps": 0.8, "pipeline.s2.shell.2020.capacity": 0.7}


LATER = {  # costs, bounds and matrix coefficients (HBM stacks per GPU, PUE, discounting) all change
    "planner_share.cowos": 0.55, "regions.ZONE_A.power_price_usd_per_mwh": 33, "gpus.g1.hbm_stacks_per_gpu": 1.5,
    "sites.s2.pue": 1.25, "discount_rate": 0.07, "demand.growth_per_year": 1.45,
}


@functools.cache
def _random_cases():
    out = []
    for seed in range(6):
        t, over = change_set(seed)
        out.append((scenario_from_tables(t, name=f"case{seed}", overrides=over), LATER))
    out.append(_training_case())
    hard = scenario_from_tables(base_tables(), overrides={"demand.hard_target": 1, "operations.pipeline_gpus_must_run": 1,
                                                          "demand.start_h100e_millions": 0.0005})
    out.append((hard, {"planner_share.hbm": 0.4, "sites.s1.pue": 1.3}))
    return out


@pytest.mark.parametrize("case", range(8))
def test_parametric_arrays_equal_the_pyomo_compiler(case):
    scn, later = _random_cases()[case]
    sets = build_sets(scn)
    values = param_values(scn, sets)
    model = build_model(scn, sets, values)
    par = ParametricLP(model)
    assert not par.needs_pyomo_values
    assert_same_arrays(model, par, values)
    # a parameter change applied in place: same structure, new numbers
    scn2 = scn.with_overrides(later)
    sets2 = build_sets(scn2)
    if sets2.structure_key() == sets.structure_key():
        values2 = param_values(scn2, sets2)
        update_params(model, values2)
        assert_same_arrays(model, par, values2)


def test_param_cache_recomputes_only_what_changed_and_equals_param_values():
    """A chain of parameter-only variants (tables shared): ParamCache's values equal a fresh
    param_values exactly, and a planner-share change recomputes only the supply group."""
    from dcplan.model.coefficients import ParamCache

    base = scenario_from_tables(base_tables(), name="base")
    cache = ParamCache()
    sets = build_sets(base)
    assert cache.values(base, sets) == param_values(base, sets)
    chain = [
        {"planner_share.cowos": 0.4}, {"demand.growth_per_year": 1.5}, {"discount_rate": 0.02},
        {"power_price.escalation_per_year": 0.05, "gas_turbine.heat_rate_mmbtu_per_mwh": 8},
        {"demand.unmet_penalty_usd_per_h100e_year": 20_000}, {"transformer.mva_per_mw": 1.2},
    ]
    scn = base
    for over in chain:
        scn = scn.with_overrides(over)
        assert scn.tables is base.tables  # the parameter-only path shares the tables
        sets = build_sets(scn)
        before = dict(cache._parts)
        got = cache.values(scn, sets)
        assert got == param_values(scn, sets), over
        if over == {"planner_share.cowos": 0.4}:
            assert [k for k in before if cache._parts[k] is not before[k]] == ["_demand_supply"]
