"""Sensitivity analysis: what-if on one constraint family (and, later, batch sweeps)."""

from dcplan.sweeps.whatif import WhatIf, parse_change, what_if

__all__ = ["WhatIf", "parse_change", "what_if"]
