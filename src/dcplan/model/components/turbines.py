"""On-site gas turbines: world deliveries cap (eq. U1); capacity use is in power_supply (P3)."""

from __future__ import annotations

from dcplan.model.components.transformers import _delivery_cap
from dcplan.model.sets import ModelSets


def add(m, sets: ModelSets) -> None:
    """U1 turbine_supply[y]: turbine MW delivered (online) in y <= planner share of world output."""
    _delivery_cap(m, sets, "gas_turbine", "turbine_supply", m.turbine_supply_mw)
