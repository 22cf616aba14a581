"""A training run hosted across the sites of one supercluster, within fiber bandwidth (eq. R1-R3)."""

from __future__ import annotations

from pyomo.environ import Constraint, NonNegativeReals, Var, quicksum

from dcplan.model.sets import ModelSets

PROVIDES = ("train", "unmet_training")
NEEDS = ("use",)


def add(m, sets: ModelSets) -> None:
    """R1 training_demand[y,t]: the run's compute hosted by its supercluster's sites + unmet >= run.
    R2 training_site[s,y,t]: a site hosts at most the compute it has in use.
    R3 fiber_capacity[link,y,t]: traffic of members away from the anchor <= link bandwidth.
    The run's compute is part of the year's demand (D1); R1 says where it must run."""
    tp = sets.training
    T = list(sets.slices)
    idx = [(s, y, t) for y, members in tp.members.items() for s in members for t in T]
    m.train = Var(idx, within=NonNegativeReals, doc="training-run compute hosted at site s, thousand H100e")
    m.unmet_training = Var(
        [(y, t) for y in tp.members for t in T], within=NonNegativeReals, doc="training run not hosted, thousand H100e"
    )
    m.training_demand = Constraint(
        list(m.unmet_training.keys()),
        rule=lambda m, y, t: quicksum(m.train[s, y, t] for s in tp.members[y]) + m.unmet_training[y, t] >= m.training_kh100e[y],
    )
    gens_at: dict[tuple[str, int], list[str]] = {}
    for g, s, y in sets.use:
        gens_at.setdefault((s, y), []).append(g)
    m.training_site = Constraint(
        idx, rule=lambda m, s, y, t: m.train[s, y, t] <= quicksum(m.h100e_per_gpu[g] * m.use[g, s, y, t] for g in gens_at.get((s, y), ()))
    )
    users: dict[tuple[tuple[str, str], int], list[str]] = {}
    for (y, s), links in tp.links_of.items():
        for link in links:
            users.setdefault((link, y), []).append(s)
    fidx = [(a, b, y, t) for (a, b), y in [(lk, y) for lk, y in users] for t in T]
    m.fiber_capacity = Constraint(
        fidx,
        rule=lambda m, a, b, y, t: quicksum(m.tbps_per_kh100e * m.train[s, y, t] for s in users[(a, b), y])
        <= m.fiber_bandwidth_tbps[a, b],
    )
