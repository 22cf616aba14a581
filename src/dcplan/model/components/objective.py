"""Objective: least discounted total cost (eq. K1)."""

from __future__ import annotations

from pyomo.environ import Objective, minimize, quicksum

from dcplan.model.sets import ModelSets

PROVIDES = ()
NEEDS = (
    "SHIP", "BUILD", "EARLY", "EARLY_SHIP", "EXPAND", "ship", "build", "early", "early_ship", "expand", "gen", "onsite",
    "contract", "cdisp", "flow", "xexp", "unmet", "unmet_training",
)


def add(m, sets: ModelSets) -> None:
    """K1 total_cost: annualised capex + O&M + energy + fuel + wheeling + unmet penalty, PV $M."""
    m.total_cost = Objective(
        expr=quicksum(m.cost_ship[i] * m.ship[i] for i in m.SHIP)
        + quicksum(m.cost_build[i] * m.build[i] for i in m.BUILD)
        + quicksum(m.cost_early[i] * m.early[i] for i in m.EARLY)
        + quicksum(m.cost_early_ship[i] * m.early_ship[i] for i in m.EARLY_SHIP)
        + quicksum(m.cost_expand[i] * m.expand[i] for i in m.EXPAND)
        + quicksum(m.cost_gen[i] * m.gen[i] for i in m.gen)
        + quicksum(m.cost_onsite[i] * m.onsite[i] for i in m.onsite)
        + quicksum(m.cost_contract[i] * m.contract[i] for i in m.contract)
        + quicksum(m.cost_cdisp[i] * m.cdisp[i] for i in m.cdisp)
        + quicksum(m.cost_flow[i] * m.flow[i] for i in m.flow)
        + quicksum(m.cost_xexp[i] * m.xexp[i] for i in m.xexp)
        + quicksum(m.cost_unmet[i] * m.unmet[i] for i in m.unmet)
        + quicksum(m.cost_unmet_training[i] * m.unmet_training[i] for i in m.unmet_training),
        sense=minimize,
    )
