"""GPU fleet: shipments by vintage, installed fleet, GPUs in use, retirement (eq. G1-G3)."""

from __future__ import annotations

from pyomo.environ import Constraint, Expression, NonNegativeReals, Var, quicksum

from dcplan.model.sets import ModelSets

PROVIDES = ("ship", "early_ship", "use", "USE_T", "it_mw", "compute_kh100e")
NEEDS = ("SHIP", "USE", "EARLY_SHIP")


def installed(m, sets: ModelSets, g: str, s: str, y: int):
    """kGPU of generation g installed at s in year y: pipeline + vintages not yet retired (G1)."""
    terms = [m.ship[g, s, v] for v in sets.ships_alive(g, s, y)]
    terms += [m.early_ship[g, s, v] for v in sets.early_ships_alive(g, s, y)]
    return sum(terms, m.gpu_pipeline_kgpu[g, s, y])  # builtin sum: ~2x faster than quicksum for a few terms


def add(m, sets: ModelSets) -> None:
    """G1 installed fleet, G2 gpu_in_use_upper, G3 IT power and compute, G4 gpu_must_run."""
    m.ship = Var(m.SHIP, within=NonNegativeReals, doc="GPUs shipped to site s in year y, thousand")
    T = list(sets.slices)
    m.USE_T = [(g, s, y, t) for g, s, y in sets.use for t in T]
    m.use = Var(m.USE_T, within=NonNegativeReals, doc="GPUs powered and in use in time slice t, thousand")
    m.early_ship = Var(
        m.EARLY_SHIP, bounds=(0, 0), doc="GPUs of a generation shipped a year before it is available (fixed at 0, eq. L2)"
    )

    # G1 once per (g, s, y) as a named expression: every slice's G2 row shares it (built and compiled once)
    m.installed_kgpu = Expression(m.USE, rule=lambda m, g, s, y: installed(m, sets, g, s, y),
                                  doc="GPUs installed (eq. G1), thousand")
    m.gpu_in_use_upper = Constraint(m.USE_T, rule=lambda m, g, s, y, t: m.use[g, s, y, t] <= m.installed_kgpu[g, s, y])
    # G4 (optional): GPUs already installed must run (operations.pipeline_gpus_must_run)
    m.gpu_must_run = Constraint(
        [(g, s, y, t) for g, s, y in sets.must_run for t in T],
        rule=lambda m, g, s, y, t: m.use[g, s, y, t] >= m.gpu_pipeline_kgpu[g, s, y],
    )

    by_site_year: dict[tuple[str, int], list[str]] = {}
    by_year: dict[int, list[tuple[str, str]]] = {}
    for g, s, y in sets.use:
        by_site_year.setdefault((s, y), []).append(g)
        by_year.setdefault(y, []).append((g, s))
    m.it_mw = Expression(
        [(s, y, t) for s in sets.sites for y in sets.years for t in T],
        rule=lambda m, s, y, t: quicksum(m.it_mw_per_kgpu[g] * m.use[g, s, y, t] for g in by_site_year.get((s, y), ())),
    )
    m.compute_kh100e = Expression(
        [(y, t) for y in sets.years for t in T],
        rule=lambda m, y, t: quicksum(m.h100e_per_gpu[g] * m.use[g, s, y, t] for g, s in by_year.get(y, ())),
    )
