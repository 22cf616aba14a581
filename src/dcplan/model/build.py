"""Assemble the Pyomo model from a scenario: sets, mutable parameters, constraint families."""

from __future__ import annotations

from typing import Any

from pyomo.environ import ConcreteModel, NonNegativeReals, Param, Set, Suffix, Var

from dcplan.model.coefficients import param_values
from dcplan.model.components import (
    chip_supply,
    demand,
    emissions,
    gpu_fleet,
    headroom,
    interconnection,
    objective,
    power_portfolio,
    power_supply,
    shells,
    training,
    transformers,
    transmission,
)
from dcplan.model.sets import ModelSets, build_sets
from dcplan.scenario.scenario import Scenario

FAMILIES = (
    gpu_fleet, demand, chip_supply, shells, power_supply, power_portfolio, interconnection, transformers, transmission,
    headroom, training, emissions,
)
"""The constraint-family modules, built in an order their PROVIDES / NEEDS allow (this order
wherever it does; see model/components/__init__.py), then the objective."""

BASE = ("SHIP", "USE", "BUILD", "EXPAND", "EARLY", "EARLY_SHIP", "build", "early")
"""Index sets and variables build_model declares before any family (the families' NEEDS may name them)."""


def family_order(families=FAMILIES, base=BASE) -> list:
    """`families` in an order in which each comes after every family providing what it NEEDS:
    the given order wherever it allows. Raises ValueError naming a need no family provides, or a
    dependency cycle."""
    provider = {name: f for f in families for name in f.PROVIDES}
    for f in families:
        missing = [n for n in f.NEEDS if n not in provider and n not in base]
        if missing:
            raise ValueError(f"{f.__name__} needs {missing}: provided by no family and not in build.BASE")
    done: list = []
    pending = list(families)
    while pending:
        ready = next((f for f in pending if all(provider[n] in done for n in f.NEEDS if n in provider)), None)
        if ready is None:
            raise ValueError(f"dependency cycle among {[f.__name__ for f in pending]}")
        done.append(ready)
        pending.remove(ready)
    return done


def _add(family, m, sets: ModelSets) -> None:
    """Add one family and check it added what it PROVIDES."""
    family.add(m, sets)
    missing = [n for n in family.PROVIDES if not hasattr(m, n)]
    if missing:
        raise RuntimeError(f"{family.__name__}.add did not add {missing} (declared in its PROVIDES)")


def build_model(scn: Scenario, sets: ModelSets | None = None, values: dict | None = None) -> ConcreteModel:
    """Build the capacity-expansion LP of scenario `scn` (see docs/formulation.md); `values` are
    its ``param_values`` when already computed."""
    sets = sets or build_sets(scn)
    m = ConcreteModel(name=f"dcplan[{scn.name}]")
    m._dcplan_sets = sets
    m.SHIP = Set(initialize=sets.ship, dimen=3, ordered=True)
    m.USE = Set(initialize=sets.use, dimen=3, ordered=True)
    m.BUILD = Set(initialize=sets.build, dimen=3, ordered=True)
    m.EXPAND = Set(initialize=sets.expand, dimen=2, ordered=True)
    m.EARLY = Set(initialize=sets.early, dimen=3, ordered=True)
    m.EARLY_SHIP = Set(initialize=sets.early_ship, dimen=3, ordered=True)
    declare_params(m, values if values is not None else param_values(scn, sets))
    m.build = Var(m.BUILD, within=NonNegativeReals, doc="capacity decided in year y (MW; MVA for transformers)")
    m.early = Var(m.EARLY, bounds=(0, 0), doc="capacity decided in y online one year early (fixed at 0, eq. L1)")
    for family in family_order((*FAMILIES, objective)):  # the objective (listed last) comes last
        _add(family, m, sets)
    m.dual = Suffix(direction=Suffix.IMPORT)
    return m


def declare_params(m: ConcreteModel, values: dict[str, Any]) -> None:
    """Declare every parameter as a mutable Pyomo Param (so sweeps can change it)."""
    for name, vals in values.items():
        if isinstance(vals, dict):
            m.add_component(name, Param(list(vals), initialize=vals, mutable=True, default=0.0))
        else:
            m.add_component(name, Param(initialize=vals, mutable=True))


def update_params(m: ConcreteModel, values: dict[str, Any]) -> None:
    """Set every mutable parameter of `m` to `values` (same keys as at build time)."""
    for name, vals in values.items():
        comp = m.component(name)
        if isinstance(vals, dict):
            comp.store_values(vals)
        else:
            comp.set_value(vals)
