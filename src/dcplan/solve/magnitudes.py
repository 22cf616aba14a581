"""The LP's coefficient magnitudes after scaling, checked before HiGHS sees them.

Every input column has a sensible range (scenario/schema.py RANGES), but products and ratios of
in-range inputs can still give LP coefficients HiGHS cannot handle reliably: it drops matrix
entries below 1e-9 and loses accuracy when entries span more than about twelve orders of
magnitude. This check names the LP row and column of each offending value and the input rows
(site, GPU generation, region, year, ...) their indices point at, so the planner knows which
figures to look at instead of reading "check the magnitudes" after a failed solve.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from dcplan.errors import InputProblem

MATRIX_RANGE = (1e-9, 1e9)
"""Allowed |a_ij| of the scaled constraint matrix (the default spans about 0.03-16)."""
MAX_MATRIX_SPREAD = 1e12
"""Allowed ratio of the largest to the smallest |a_ij|."""
MAX_COST = 1e12
"""Allowed |c_j| (objective in $M) and |finite bound| (LP units)."""

_KEYS = (("sites", "site"), ("gpus", "generation"), ("regions", "region"), ("supply", "year"), ("time_slices", "slice"))


@dataclass(frozen=True)
class Extreme:
    """One out-of-range value of the compiled LP: what it is, where (row and column names)."""

    kind: str  # matrix / cost / bound / spread
    value: float
    row: str | None
    column: str | None


def extremes(lp) -> list[Extreme]:
    """Values of a compiled LP (`solve.highs._Compiled`) outside the ranges above (arrays only)."""
    out: list[Extreme] = []
    A = lp.A.tocoo()
    a = np.abs(A.data)
    nz = a > 0
    for k in np.flatnonzero(nz & ((a < MATRIX_RANGE[0]) | (a > MATRIX_RANGE[1])))[:5]:
        out.append(Extreme("matrix", float(A.data[k]), lp.rows[A.row[k]][0].name, lp.columns[A.col[k]].name))
    if nz.any() and not out:
        lo, hi = int(np.argmin(np.where(nz, a, np.inf))), int(np.argmax(a))
        if a[hi] / a[lo] > MAX_MATRIX_SPREAD:
            for k in (lo, hi):
                out.append(Extreme("spread", float(A.data[k]), lp.rows[A.row[k]][0].name, lp.columns[A.col[k]].name))
    c = np.abs(lp.c)
    for j in np.flatnonzero(~np.isfinite(c) | (c > MAX_COST))[:5]:
        out.append(Extreme("cost", float(lp.c[j]), None, lp.columns[j].name))
    for arr, names in ((lp.row_lower, "row"), (lp.row_upper, "row"), (lp.col_lower, "col"), (lp.col_upper, "col")):
        v = np.abs(arr)
        for k in np.flatnonzero(np.isnan(v) | ((v > MAX_COST) & (v < 1e20)))[:5]:
            row = lp.rows[k][0].name if names == "row" else None
            col = lp.columns[k].name if names == "col" else None
            out.append(Extreme("bound", float(arr[k]), row, col))
    return out


def _inputs_of(names: list[str | None], scn) -> str:
    """The input rows the indices of LP names point at, e.g. "gpus.csv generation 'h100'"."""
    parts = {p.strip() for n in names if n and "[" in n for p in re.sub(r"^[^\[]*\[|\]$", "", n).split(",")}
    found = []
    for table, col in _KEYS:
        df = scn.tables.get(table)
        if df is None or col not in df.columns:
            continue
        ids = {str(v) for v in df[col]}
        found += [f"{table}.csv {col} '{p}'" for p in sorted(parts & ids)]
    return "; check " + ", ".join(found) + " and parameters.csv" if found else "; check parameters.csv"


def magnitude_problems(lp, scn) -> list[InputProblem]:
    """Problems (file 'LP coefficients') for every extreme of the compiled LP of `scn`."""
    out = []
    for e in extremes(lp):
        where = " in ".join(f"'{n}'" for n in (e.column, e.row) if n)
        if e.kind == "spread":
            msg = f"matrix coefficient {e.value:.3g} of {where}: the matrix spans more than {MAX_MATRIX_SPREAD:.0e}"
        elif e.kind == "matrix":
            msg = f"matrix coefficient {e.value:.3g} of {where} is outside {MATRIX_RANGE[0]:.0e}-{MATRIX_RANGE[1]:.0e}"
        else:
            msg = f"{e.kind} {e.value:.3g} of {where} is beyond {MAX_COST:.0e}"
        out.append(InputProblem("LP coefficients (after scaling)", msg + _inputs_of([e.row, e.column], scn)))
    return out
