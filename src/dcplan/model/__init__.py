"""The LP: sparse sets, coefficients, constraint families and assembly."""

from dcplan.model.build import build_model
from dcplan.model.sets import ModelSets, build_sets

__all__ = ["ModelSets", "build_model", "build_sets"]
