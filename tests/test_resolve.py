"""Sweeps update parameters and re-solve from the previous basis instead of rebuilding."""

from __future__ import annotations

import pytest
from helpers import shadow
from tiny import tiny

from dcplan import Plan


def test_resolve_updates_in_place_and_matches_a_fresh_build():
    """CoWoS cap 50 -> 200 wafers: same answer as building anew ($5.5M -> $1M), no rebuild,
    warm-started, and the model object is the same one."""
    plan = Plan(tiny({"supply.2026.cowos_wafers_per_year": 50}))
    first = plan.solve()
    assert first.objective_usd == pytest.approx(5_500_000)
    model_before = plan.model
    second = plan.resolve(tiny({"supply.2026.cowos_wafers_per_year": 200}))
    assert plan.model is model_before
    assert second.solver["warm_started"] is True
    assert second.objective_usd == pytest.approx(1_000_000)
    assert shadow(second, "cowos_supply", 2026)["shadow_price_usd_per_unit"] == pytest.approx(0, abs=1e-6)


def test_resolve_changes_matrix_coefficients():
    """HBM stacks per GPU is a matrix coefficient: 1 -> 2 stacks with 600 stacks halves the GPUs
    the supply allows (600 -> 300): cost 600x$1k+400x$10k = $4.6M -> 300x$1k+700x$10k = $7.3M."""
    plan = Plan(tiny({"supply.2026.hbm_stacks_per_year": 600}))
    assert plan.solve().objective_usd == pytest.approx(4_600_000)
    res = plan.resolve(tiny({"supply.2026.hbm_stacks_per_year": 600, "gpus.g1.hbm_stacks_per_gpu": 2}))
    assert plan.lp.last_update["coefficients"] >= 1
    assert res.objective_usd == pytest.approx(7_300_000)
    fresh = Plan(tiny({"supply.2026.hbm_stacks_per_year": 600, "gpus.g1.hbm_stacks_per_gpu": 2})).solve()
    assert fresh.objective_usd == pytest.approx(res.objective_usd)


def test_resolve_rebuilds_when_structure_changes():
    """A longer horizon changes the sparse sets: the plan rebuilds and still answers right."""
    plan = Plan(tiny())
    plan.solve()
    res = plan.resolve(tiny({"horizon.end_year": 2027}))
    assert res.objective_usd == pytest.approx(2_000_000)
    assert list(res.compute["year"]) == [2026, 2027]


def _strategy(plan) -> int:
    v = plan.lp.highs.getOptionValue("simplex_strategy")
    return int(v[1] if isinstance(v, tuple) else v)  # highspy >= 1.12: (status, value)


def test_warm_simplex_follows_what_changed():
    """A cost-only change keeps the basis primal feasible, so the warm solve runs primal simplex;
    a right-hand-side change keeps it dual feasible: dual simplex. By hand: GPUs at $20,000 are
    dearer than the $10,000 unmet penalty, so all 1,000 H100e go unmet ($10M); doubling demand
    then leaves 2,000 unmet ($20M); GPUs back at $1,000 serve them ($2M)."""
    plan = Plan(tiny())
    assert plan.solve().objective_usd == pytest.approx(1_000_000)
    model = plan.model
    steps = [({"gpus.g1.price_usd_per_gpu": 20_000}, 4, 10_000_000),
             ({"gpus.g1.price_usd_per_gpu": 20_000, "demand.start_h100e_millions": 0.002}, 1, 20_000_000),
             ({"demand.start_h100e_millions": 0.002}, 4, 2_000_000)]
    for over, strategy, objective in steps:
        res = plan.resolve(tiny(over), start="last")  # from the previous basis (what changed since the first: below)
        assert res.solver["warm_started"] and plan.model is model, over  # updated in place
        assert _strategy(plan) == strategy, over
        assert res.objective_usd == pytest.approx(objective)
        assert Plan(tiny(over)).solve().objective_usd == pytest.approx(res.objective_usd)
    user = Plan(tiny(), highs_options={"simplex_strategy": 1})  # the user's choice wins
    user.solve()
    user.resolve(tiny({"gpus.g1.price_usd_per_gpu": 20_000}))
    assert _strategy(user) == 1


def test_a_one_at_a_time_series_starts_each_variant_from_the_first_basis():
    """Variants of one base, one change each (a what-if or tornado series): the second variant
    differs from the base in one parameter and from the first variant in two, so `auto` starts
    it from the base's basis; the base itself then re-solves from its own basis in 0 iterations,
    and a step along one parameter (one change either way) starts from the last. The answers are
    those of fresh builds whichever basis a solve starts from."""
    base = tiny({"supply.2026.cowos_wafers_per_year": 50})
    plan = Plan(base)
    assert plan.solve(results="key").solver["start"] == "cold"
    a = base.with_overrides({"supply.2026.cowos_wafers_per_year": 200})  # $5.5M -> $1M
    b = base.with_overrides({"gpus.g1.price_usd_per_gpu": 2_000})
    kf_a = plan.resolve(a, results="key")
    assert kf_a.solver["start"] == "last"  # one change from the base, one from the last: the last
    kf_b = plan.resolve(b, results="key")
    assert kf_b.solver["start"] == "first"
    again = plan.resolve(base, results="key", start="first")
    assert again.solver["start"] == "first" and again.solver["iterations"] == 0
    back = Plan(base)  # control: the base re-solved from the last basis (a's) needs a pivot
    back.solve(results="key")
    back.resolve(a, results="key")
    assert back.resolve(base, results="key", start="last").solver["iterations"] >= 1
    for scn, kf in ((a, kf_a), (b, kf_b), (base, again)):
        fresh = Plan(scn).solve(results="key")
        assert kf.objective_usd == pytest.approx(fresh.objective_usd, rel=1e-9)
        assert kf.unmet_h100e == pytest.approx(fresh.unmet_h100e)
    assert kf_a.objective_usd == pytest.approx(1_000_000)
    b2 = b.with_overrides({"gpus.g1.price_usd_per_gpu": 3_000})
    assert plan.resolve(b2, results="key", start="last").solver["start"] == "last"
    assert plan.resolve(b, results="key").solver["start"] == "last"  # b2 -> b is a third of the price; base -> b a new cell


def test_auto_start_takes_the_nearer_basis_by_relative_change():
    """`auto` compares relative parameter changes: 0.9x then 1.1x of one parameter puts the 1.1x
    variant 0.1 from the base and 0.18 from the 0.9x one (the base's basis); steps of 2% along a
    sweep away from the base start from the last."""
    base = tiny()
    d = base.params["demand.start_h100e_millions"]
    plan = Plan(base)
    plan.solve(results="key")
    starts = [plan.resolve(base.with_overrides({"demand.start_h100e_millions": d * f}), results="key").solver["start"]
              for f in (0.9, 1.1, 1.12, 1.14)]
    assert starts == ["last", "first", "last", "last"]
    from dcplan.model.tracking import change_distance

    near = base.with_overrides({"demand.start_h100e_millions": d * 1.1})
    assert change_distance(near, base) == pytest.approx(0.1 / 1.1)
    assert change_distance(base, base) == 0.0


def test_a_cost_change_from_the_first_basis_runs_primal_simplex():
    """The warm simplex variant follows what changed since the basis the solve starts from: after
    a demand change (dual simplex), a cost-only variant of the base started from the base's basis
    is primal feasible there (primal simplex), though against the last LP its bounds changed too."""
    base = tiny()
    plan = Plan(base)
    plan.solve(results="key")
    plan.resolve(base.with_overrides({"demand.start_h100e_millions": 0.002}), results="key")
    assert _strategy(plan) == 1
    kf = plan.resolve(base.with_overrides({"gpus.g1.price_usd_per_gpu": 20_000}), results="key", start="first")
    assert kf.solver["start"] == "first" and _strategy(plan) == 4
    assert kf.objective_usd == pytest.approx(10_000_000)  # GPUs dearer than the $10k penalty: all 1,000 H100e unmet
