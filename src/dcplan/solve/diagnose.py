"""Why is a scenario infeasible? Elastic mode and HiGHS's IIS, named in the planner's terms.

Elastic mode copies the compiled LP, adds a non-negative slack to each side of every row,
drops the costs, and minimises the weighted total slack: the rows whose slack stays positive
are the limits that must give, and by how much, for the scenario to become feasible. Rows
that only define quantities (GPUs in use vs installed, a site's power balance) are weighted
1,000 times heavier, so limits give first. HiGHS's irreducible infeasible subset (IIS) names a
minimal set of rows and bounds that cannot hold together.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass

import highspy
import numpy as np
import pandas as pd

from dcplan.model.registry import ROW_FAMILIES as FAMILIES
from dcplan.model.registry import targets
from dcplan.scenario.solver_options import quiet_highs

INF = highspy.kHighsInf
DEFINITIONAL_WEIGHT = 1e3
"""Elastic weight of balances and definitional rows (model/registry.py roles), so limits give first."""


def _weight(fam: str) -> float:
    spec = FAMILIES.get(fam)
    return DEFINITIONAL_WEIGHT if spec is not None and not spec.is_limit and not spec.target else 1.0


def _hint(fam: str, default: str = "") -> str:
    spec = FAMILIES.get(fam)
    return spec.hint if spec is not None and spec.hint else default


@dataclass
class Diagnosis:
    """What must give for an infeasible scenario to become feasible, and HiGHS's IIS."""

    status: str
    violations: pd.DataFrame  # limits that must give: family, label, key, year, amount, unit, hint
    iis: pd.DataFrame  # kind (row/column), family, key, year
    shortfall: pd.DataFrame  # targets that cannot be met as things stand (same columns)

    def message(self, top: int = 12) -> str:
        """A message a planner can act on: which constraint families, which years, how much."""
        lines = [f"HiGHS reports the scenario {self.status.lower()}."]
        if not self.shortfall.empty:
            lines.append("Shortfall against the targets with every limit as given:")
            lines += self._family_lines(self.shortfall, top)
        if self.violations.empty:
            lines.append("Elastic mode found no constraint family to relax (the problem may be unbounded or numerically ill-posed).")
        else:
            lines.append("To meet the targets, these limits must give (elastic mode, smallest total violation):")
            lines += self._family_lines(self.violations, top)
        if not self.iis.empty:
            rows = self.iis[self.iis["kind"] == "row"]
            fams = ", ".join(f"{f} ({n})" for f, n in rows["family"].value_counts().items())
            lines.append(f"HiGHS's irreducible infeasible subset: {len(rows)} constraint(s): {fams}.")
        return "\n".join(lines)

    @staticmethod
    def _family_lines(df: pd.DataFrame, top: int) -> list[str]:
        lines = []
        for fam, g in df.groupby("family", sort=False):
            parts = [
                f"{r.key + ' ' if r.key else ''}{'' if pd.isna(r.year) else int(r.year)}: {r.amount:,.4g} {r.unit}".strip()
                for r in g.head(top).itertuples()
            ]
            more = f" (+{len(g) - top} more)" if len(g) > top else ""
            lines.append(f"  - {fam} [{g['label'].iloc[0]}]: " + "; ".join(parts) + more)
            lines.append(f"      why: {_hint(fam, 'see docs/formulation.md')}")
        return lines


def _name(con) -> tuple[str, dict]:
    fam = con.parent_component().name
    idx = con.index()
    idx = idx if isinstance(idx, tuple) else (idx,)
    spec = FAMILIES.get(fam)
    names = spec.index if spec else tuple(f"i{k}" for k in range(len(idx)))
    return fam, dict(zip(names, idx, strict=False))


def _describe_key(key: dict) -> tuple[str, object]:
    """(place, year) of a constraint key; a time slice other than the single default 'year'
    is appended to the place."""
    year = key.get("year")
    rest = " ".join(str(v) for k, v in key.items() if k not in ("year", "slice") and v is not None)
    sl = key.get("slice")
    if sl is not None and sl != "year":
        rest = f"{rest} [{sl}]".strip()
    return rest, year


TARGETS = targets()
"""Families that state what the planner wants (rather than what the world allows)."""

_EMPTY = ["family", "label", "key", "year", "amount", "unit", "hint"]


def elastic(lp, relax: AbstractSet[str] | None = None, hold: AbstractSet[str] | None = None) -> pd.DataFrame | None:
    """Solve an elastic copy of compiled LP `lp` (a solve.highs._Compiled): rows of the families
    in `relax` (all when None, minus those in `hold`) get slacks; minimise the weighted slack.
    Returns the positive slacks in planner units, or None when even that copy is infeasible."""
    n, m = len(lp.columns), len(lp.rows)
    fams = np.array([con.parent_component().name for con, _ in lp.rows], dtype=object)
    weights = np.array([_weight(f) for f in fams])
    ok = np.ones(m, dtype=bool)
    if relax is not None:
        ok &= np.isin(fams, list(relax))
    if hold:
        ok &= ~np.isin(fams, list(hold))
    up = np.flatnonzero((lp.row_upper < INF) & ok)
    lo = np.flatnonzero((lp.row_lower > -INF) & ok)
    A = lp.A.tocoo()
    rows = np.concatenate([A.row, up, lo])
    cols = np.concatenate([A.col, n + np.arange(len(up)), n + len(up) + np.arange(len(lo))])
    vals = np.concatenate([A.data, -np.ones(len(up)), np.ones(len(lo))])
    import scipy.sparse as sp

    ncol = n + len(up) + len(lo)
    M = sp.csc_array((vals, (rows, cols)), shape=(m, ncol))
    M.sort_indices()
    h = quiet_highs()  # HiGHS's banner to stderr: a diagnosis printed to stdout stays clean
    model = highspy.HighsLp()
    model.num_col_, model.num_row_ = ncol, m
    model.col_cost_ = np.concatenate([np.zeros(n), weights[up], weights[lo]])
    model.col_lower_ = np.concatenate([lp.col_lower, np.zeros(len(up) + len(lo))])
    model.col_upper_ = np.concatenate([lp.col_upper, np.full(len(up) + len(lo), INF)])
    model.row_lower_, model.row_upper_ = lp.row_lower, lp.row_upper
    model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    model.a_matrix_.start_, model.a_matrix_.index_, model.a_matrix_.value_ = M.indptr, M.indices, M.data
    h.passModel(model)
    h.run()
    if h.modelStatusToString(h.getModelStatus()) != "Optimal":
        return None
    x = np.asarray(h.getSolution().col_value)
    slack = np.zeros(m)
    slack[up] += x[n : n + len(up)]
    slack[lo] += x[n + len(up) :]
    out = []
    for k in np.flatnonzero(slack > 1e-7):
        con = lp.rows[k][0]
        fam, key = _name(con)
        spec = FAMILIES.get(fam)
        per = spec.lp_per_unit if spec else 1.0
        rest, year = _describe_key(key)
        out.append(
            {
                "family": fam, "label": spec.label if spec else fam, "key": rest, "year": year,
                "amount": slack[k] / per, "unit": spec.unit if spec else "LP unit", "hint": _hint(fam),
            }
        )
    df = pd.DataFrame(out, columns=_EMPTY)
    return df.sort_values(["family", "year", "key"], kind="stable").reset_index(drop=True)


def _option(highs: highspy.Highs, name: str):
    """The value of HiGHS option `name` (highspy returns (status, value) or the value)."""
    got = highs.getOptionValue(name)
    return got[1] if isinstance(got, tuple) else got


def iis(highs: highspy.Highs, lp, time_limit_s: float = 30.0) -> pd.DataFrame:
    """HiGHS's irreducible infeasible subset, mapped to constraint families (empty if HiGHS finds
    none). Runs within `time_limit_s` (or the user's time limit when lower) and leaves the user's
    options as they were; an error inside HiGHS propagates."""
    cols = ["kind", "family", "key", "year"]
    if not hasattr(highs, "getIis"):  # pragma: no cover - an older highspy without IIS
        return pd.DataFrame(columns=cols)
    user_limit, user_strategy = _option(highs, "time_limit"), _option(highs, "iis_strategy")
    try:
        highs.setOptionValue("iis_strategy", 2)
        highs.setOptionValue("time_limit", min(time_limit_s, user_limit))
        _, found = highs.getIis()
    finally:  # the user's options as they were, whatever happened
        highs.setOptionValue("time_limit", user_limit)
        highs.setOptionValue("iis_strategy", user_strategy)
    if not getattr(found, "valid_", False):
        return pd.DataFrame(columns=cols)
    out = []
    for r in found.row_index_:
        fam, key = _name(lp.rows[r][0])
        rest, year = _describe_key(key)
        out.append({"kind": "row", "family": fam, "key": rest, "year": year})
    for c in found.col_index_:
        v = lp.columns[c]
        out.append({"kind": "column", "family": v.parent_component().name, "key": str(v.index()), "year": None})
    return pd.DataFrame(out, columns=cols)


def diagnose(highs_lp) -> Diagnosis:
    """Diagnose the infeasible LP held by `highs_lp` (a solve.highs.HighsLP).

    Two elastic passes: (1) relax only the targets (compute demand, must-run GPUs): the
    shortfall; (2) hold the targets and relax every limit: what must give to meet them. If a
    pass is itself infeasible, everything is relaxed instead.
    """
    lp = highs_lp.lp
    status = highs_lp.highs.modelStatusToString(highs_lp.highs.getModelStatus())
    shortfall = elastic(lp, relax=TARGETS)
    limits = elastic(lp, hold=TARGETS)
    if limits is None:
        limits = elastic(lp)
    empty = pd.DataFrame(columns=_EMPTY)
    return Diagnosis(
        status=status,
        violations=limits if limits is not None else empty,
        iis=iis(highs_lp.highs, lp),
        shortfall=shortfall if shortfall is not None else empty,
    )
