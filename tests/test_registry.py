"""The registry (src/dcplan/model/registry.py) is the one source of truth per constraint family
and cost category: every family the model builds and every cost category it prices has an
entry, and the readers (binding list, largest-run limits, diagnosis, both spending charts)
agree on it."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pandas as pd
import pytest
from pyomo.environ import Constraint
from test_training import BITS_PER_FLOP, two_state_tables
from tiny import SRC

from dcplan import Plan, scenario_from_tables
from dcplan.model import registry
from dcplan.model.coefficients import unit_costs
from dcplan.model.registry import COST_CATEGORIES, FAMILIES, ROLES, ROW_FAMILIES

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def plan():
    """Two states (TX with site s1, OK with s2), a fiber link and a supercluster, a training run
    bigger than TX can power, an OK->TX corridor that can expand, GPUs already installed that
    must run, and CoWoS/HBM expansion allowed: every constraint family and cost category."""
    t = two_state_tables(link_tbps=0.2)
    t["training"] = pd.DataFrame([{"year": 2026, "supercluster": "c", "run_h100e_millions": 0.0015, **SRC}])
    t["transmission"] = pd.DataFrame(
        [{"from_region": "OK", "to_region": "TX", "capacity_mw": 0.5, "reverse_capacity_mw": None, "length_km": 100,
          "loss_fraction": 0.1, "wheeling_usd_per_mwh": 5, "expansion_capex_usd_per_mw_km": 1,
          "expansion_lead_time_years": 0, "max_expansion_mw": 1, **SRC}]
    )
    t["gpu_pipeline"] = pd.DataFrame([{"site": "s1", "generation": "g1", "install_year": 2026, "gpus": 100, **SRC}])
    t["sites"]["max_onsite_gas_mw"] = 1.0
    over = {
        "regions.TX.headroom_mw_start": 1.0, "regions.OK.headroom_mw_start": 1.0,
        "demand.start_h100e_millions": 0.0015, "network.training_bits_per_flop": BITS_PER_FLOP,
        "operations.pipeline_gpus_must_run": 1, "regions.TX.power_price_usd_per_mwh": 60,
        "regions.OK.power_price_usd_per_mwh": 20, "lead_time_years.gas_turbine": 1, "horizon.end_year": 2027,
    }
    return Plan(scenario_from_tables(t, overrides=over))


@pytest.fixture(scope="module")
def res(plan):
    return plan.solve()


@pytest.fixture(scope="module")
def gsu_plan():
    """An on-site technology behind generator step-up transformers (T3), which the legacy
    one-turbine case above cannot have."""
    from test_power_portfolio import portfolio, tech

    over = {"capex_usd_per_kva.gsu_transformer": 1, "lifetime_years.gsu_transformer": 10, "lead_time_years.gsu_transformer": 1}
    return Plan(portfolio([tech("gas", gsu_mva_per_mw=1.0)], years=(2026, 2027), overrides=over))


def test_every_family_built_has_an_entry_and_every_entry_is_built(plan, gsu_plan):
    """The model's Constraint components are exactly the registry's row families (these two
    cases build all of them), and the fixed-at-zero columns are the column families (L1, L2)."""
    built = {c.name for p in (plan, gsu_plan) for c in p.model.component_objects(Constraint, active=True)}
    assert built - set(ROW_FAMILIES) == set(), "families built without a registry entry"
    assert set(ROW_FAMILIES) - built == set(), "registry entries this case does not build"
    assert len(plan.model.early)  # L1's fixed-at-zero columns (L2 needs a generation not yet available)
    assert set(registry.COLUMN_FAMILIES) == {"lead_time", "gpu_availability"}


def test_every_cost_category_priced_has_an_entry(plan):
    """Every cost term of every variable of the model names a registered category."""
    m, sets, scn = plan.model, plan.sets, plan.scenario
    priced = set()
    for var in ("ship", "early_ship", "build", "early", "expand", "gen", "onsite", "contract", "cdisp", "flow", "xexp", "unmet",
                "unmet_training"):
        for idx in m.component(var):
            priced |= {t.category for t in unit_costs(scn, sets, var, idx)}
    assert priced - set(COST_CATEGORIES) == set()
    assert {"transmission_wheeling", "transmission_capex", "unmet_training_penalty"} <= priced


def test_entries_are_consistent_with_the_formulation():
    """Each equation id is written in docs/formulation.md; roles, orders and colours are valid."""
    doc = (ROOT / "docs" / "formulation.md").read_text()
    for f in FAMILIES.values():
        assert re.search(rf"\b{f.equation}\b", doc), f"{f.name}: equation {f.equation} not in formulation.md"
        assert f.role in ROLES and re.fullmatch(r"#[0-9A-Fa-f]{6}", f.color) and f.unit and f.label
        assert f.lp_per_unit > 0 and f.scope in ("global", "region", "site")
    assert len({f.order for f in FAMILIES.values()}) == len(FAMILIES)
    assert len({f.equation for f in FAMILIES.values()}) == len(FAMILIES)
    for c in COST_CATEGORIES.values():
        assert re.fullmatch(r"#[0-9A-Fa-f]{6}", c.color) and c.label
    assert {c.name for c in COST_CATEGORIES.values() if c.penalty} == {"unmet_demand_penalty", "unmet_training_penalty"}


def test_binding_lists_only_limits(res):
    """R1 binds in this case (the run is bigger than what fiber lets the supercluster host), yet
    the binding table lists limits only, as the largest-run mode's limits do."""
    sp = res.shadow_prices
    assert sp[(sp["family"] == "training_demand") & sp["binding"]].shape[0] > 0
    assert set(res.binding["family"]) and not set(res.binding["family"]) & set(registry.not_limits())
    from dcplan.analysis.largest_run import _limits

    lim = _limits(sp, 2026, ["s1", "s2"])
    assert len(lim) and not set(lim["family"]) & set(registry.not_limits())
    assert set(res.bottlenecks["family"]) <= set(registry.timeline_families())


def test_both_spending_charts_exclude_penalties_and_keep_transmission(res):
    """The case's costs (transmission wheeling and capex among them) plus $1bn of each penalty in
    2026: the matplotlib and the interactive spending charts show the same categories, with
    transmission in and both penalties out, and their 2026 bars add up to spending alone."""
    from dcplan.reports.html import spending_figure
    from dcplan.reports.plots import plot_costs, spending_by_category

    extra = pd.DataFrame(
        [{"category": c, "year": 2026, "cost_usd": 1e9, "cost_pv_usd": 1e9} for c in ("unmet_demand_penalty", "unmet_training_penalty")]
    )
    costs = pd.concat([res.costs, extra], ignore_index=True)
    assert {"transmission_wheeling", "transmission_capex"} <= set(costs["category"])
    piv, penalty = spending_by_category(costs)
    assert penalty == pytest.approx(2e9)
    assert set(piv.columns) == set(res.costs.loc[res.costs["cost_usd"] > 0, "category"])
    want = {registry.cost_category(c).label for c in piv.columns}
    assert {"Transmission wheeling", "Transmission expansion (capex)"} <= want
    legend = {t.get_text() for t in plot_costs({"costs": costs}).axes[0].get_legend().get_texts()}
    assert legend == want
    fig = spending_figure(costs, [2026, 2027])
    assert {tr.name for tr in fig.data} == want
    spend_2026 = res.costs.loc[res.costs["year"] == 2026, "cost_usd"].sum() / 1e9
    assert sum(tr.y[0] for tr in fig.data) == pytest.approx(spend_2026, abs=1e-3 * len(fig.data))


# ---------------------------------------------------------------- what families share (PROVIDES / NEEDS)


def _model_reads_and_writes(module) -> tuple[set[str], set[str]]:
    """Attributes of `m` a family module reads and writes (by its source), with the reads of the
    shared helpers it imports from model/components/common.py."""
    import ast
    import inspect

    from dcplan.model.components import common

    def scan(mod) -> tuple[set[str], set[str]]:
        reads, writes = set(), set()
        for node in ast.walk(ast.parse(inspect.getsource(mod))):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "m":
                (writes if isinstance(node.ctx, ast.Store) else reads).add(node.attr)
        return reads, writes

    reads, writes = scan(module)
    if "from dcplan.model.components.common import" in inspect.getsource(module):
        reads |= scan(common)[0]
    return reads - {"component", "add_component"}, writes


def test_families_read_only_what_they_declare(plan):
    """Every attribute of the model a family reads is a parameter, its own, or named in its
    NEEDS; what it NEEDS some family PROVIDES (or build.BASE); what it PROVIDES it writes."""
    from pyomo.environ import Param

    from dcplan.model.build import BASE, FAMILIES
    from dcplan.model.components import objective

    params = {p.name for p in plan.model.component_objects(Param)}
    provided = set(BASE) | {n for f in FAMILIES for n in f.PROVIDES}
    for fam in (*FAMILIES, objective):
        reads, writes = _model_reads_and_writes(fam)
        undeclared = reads - params - writes - set(fam.NEEDS)
        assert undeclared == set(), f"{fam.__name__} reads {sorted(undeclared)} without naming them in NEEDS"
        assert set(fam.NEEDS) <= provided, f"{fam.__name__} needs what no family provides"
        assert set(fam.PROVIDES) <= writes, f"{fam.__name__} does not add all of its PROVIDES"


def test_family_order_follows_the_declarations():
    """Shuffled, the families still build providers first; a need no one provides, or a cycle,
    is an error naming the family."""
    from types import SimpleNamespace as NS

    from dcplan.model.build import BASE, FAMILIES, family_order

    order = family_order(tuple(reversed(FAMILIES)))
    pos = {f.__name__.rsplit(".", 1)[-1]: i for i, f in enumerate(order)}
    assert pos["headroom"] > max(pos["power_supply"], pos["transmission"]) and pos["demand"] > pos["gpu_fleet"]
    assert family_order(FAMILIES) == list(FAMILIES)  # the listed order is valid: kept as it is
    a = NS(__name__="a", PROVIDES=("x",), NEEDS=("y",))
    b = NS(__name__="b", PROVIDES=("y",), NEEDS=("x",))
    with pytest.raises(ValueError, match="cycle"):
        family_order((a, b), BASE)
    with pytest.raises(ValueError, match="a needs"):
        family_order((a,), BASE)
