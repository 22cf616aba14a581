"""The value of one more unit that holds: ranging and one-unit re-solves for the shadow-price table.

A limit's shadow price is the dual at the optimal basis HiGHS returned. At a degenerate optimum
it can overstate, often to $0, what relaxing that one limit by one unit realises (a site with no
load yet: its shell, grid and transformer limits are all tight at zero; two limits tight on the
same quantity). For each binding limit-year (a per-slice limit: all its slices together, as the
``bottlenecks`` and ``binding`` tables sum them) this module adds:

- ``holds_for_units``: how far the limit can be relaxed, in its planner unit, with its shadow
  price unchanged (HiGHS ranging; the 100% rule across slices). 0 at a degenerate vertex.
- ``realised_usd_per_unit`` / ``realised_pv_usd_per_unit``: what relaxing it by one planner unit
  realises. Equal to the shadow price when ``holds_for_units`` >= 1 (``realised_by`` =
  ``ranging``); measured by a warm re-solve with that one limit relaxed by one unit otherwise
  (``re-solve``); for the rows no display needs (or past the re-solve budget), the part ranging
  guarantees, shadow price x ``holds_for_units`` (``ranging bound``, a lower bound).
- ``degenerate``: the shadow price does not hold: the one-unit value is under
  :data:`DEGENERATE_SHARE` of it. Nullable: unknown (NA) for a lower bound under that share.

By LP duality (the optimal cost is convex in a right-hand side) the one-unit value is never
above the shadow price, so a display that lists members by their value walks them in order of
shadow price and re-solves only until no later member could rank higher.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from dcplan.model.registry import FAMILIES, not_limits, timeline_families

DEGENERATE_SHARE = 0.5
"""A binding limit is degenerate when relaxing it by one unit realises less than this share of its shadow price."""
ONE_UNIT_RESOLVES = 400
"""Default budget of one-unit re-solves per full result: the default scenario needs about 320,
at about 0.02 CPU seconds each (docs/formulation.md, "Shadow prices that hold")."""
RESOLVES_PER_LIST = 10
"""Most one-unit re-solves for one ranked list (a timeline family-year, or a year's global and
regional limits); past it the list's value is the best found (``n_unchecked`` in ``bottlenecks``)."""
TOP_BINDING_PER_YEAR = 5
"""Global and regional limits per year whose order by value is made exact (summary.json and the report list 5)."""
HOLDS_TOL = 1e-7
"""Relative slack on "holds for at least one unit" (ranging ranges are floating-point numbers)."""

EXACT = ("ranging", "re-solve")
"""``realised_by`` values for which ``realised_usd_per_unit`` is exact, not a lower bound."""
HOLDS_COLUMNS = ("holds_for_units", "realised_usd_per_unit", "realised_pv_usd_per_unit", "realised_by", "degenerate")


def holds_value(df: pd.DataFrame, pv: bool = False) -> pd.Series:
    """The value of one more unit that holds (``realised_usd_per_unit``; with `pv` its present
    value), or the shadow price where it was not checked (a table written before this column
    existed, or no ranging)."""
    suffix = "pv_usd_per_unit" if pv else "usd_per_unit"
    sp = df[f"shadow_price_{suffix}"].astype(float)
    if f"realised_{suffix}" not in df.columns:
        return sp
    real = df[f"realised_{suffix}"].astype(float)
    return real.where(real.notna(), sp)


def bears_on_run(df: pd.DataFrame, year: int, sites: Sequence[str]) -> pd.Series:
    """Rows of a shadow-price table that bear on a training run in `year` at `sites`: of that year,
    before it or of no year; global, a member's own (not another site's in its region), its
    region's, or a corridor touching its regions. The largest-run mode lists these limits and
    the one-unit re-solves rank them (:func:`_display_lists`)."""
    regions = set(df.loc[df["site"].isin(sites), "region"].dropna())
    ends = df["corridor"].astype(object).fillna("").astype(str).str.split("->")  # astype: an all-empty column is float
    corridor = ends.map(lambda e: bool(set(e) & regions))
    where = (df["scope"] == "global") | df["site"].isin(sites) | (df["site"].isna() & df["region"].isin(regions)) | corridor
    when = df["year"].isna() | (df["year"] <= year).fillna(False).astype(bool)
    return where & when


def add_realised(
    df: pd.DataFrame, items: Sequence, ranger, keys: Sequence[str], discount, budget: int = ONE_UNIT_RESOLVES,
    runs: Mapping[int, Sequence[str]] | None = None,
) -> pd.DataFrame:
    """`df` (the per-slice shadow-price table) with :data:`HOLDS_COLUMNS` added, per limit-year.

    `items[i]` is the Pyomo constraint (or the fixed-at-zero column) behind row i; `ranger` a
    :class:`dcplan.solve.ranging.Ranger` of the solve (None: nothing checked, ``realised_by`` =
    ``unchecked``); `keys` the columns naming a limit-year (the table's ``annual`` keys);
    `discount(year)` the discount factor; `budget` the most one-unit re-solves; `runs` the
    training runs' member sites by year (their limits are a ranked list too: the largest-run mode)."""
    n = len(df)
    out = df.copy()
    out["holds_for_units"] = np.nan
    out["realised_usd_per_unit"] = np.nan
    out["realised_pv_usd_per_unit"] = np.nan
    out["realised_by"] = ""
    out["degenerate"] = pd.array([False] * n, dtype="boolean")
    if n == 0:
        return out
    keys = [k for k in keys if k in df.columns]
    gid = df.groupby(keys, dropna=False, sort=False).ngroup().to_numpy()
    ng = int(gid.max()) + 1
    shown = np.bincount(gid, weights=df["shadow_price_usd_per_unit"].to_numpy(float), minlength=ng)
    shown_pv = np.bincount(gid, weights=df["shadow_price_pv_usd_per_unit"].to_numpy(float), minlength=ng)
    binding = np.bincount(gid, weights=df["binding"].to_numpy(bool).astype(float), minlength=ng) > 0
    first = pd.Series(np.arange(n)).groupby(gid).first().to_numpy()
    fam = df["family"].to_numpy(object)[first]
    members: list[list[int]] = [[] for _ in range(ng)]
    for i, g in enumerate(gid):
        members[g].append(i)

    holds = np.full(ng, np.nan)
    real_pv = np.where(binding, np.nan, shown_pv)
    by = np.where(binding, "unchecked", "").astype(object)
    if ranger is not None and ranger.ok:
        for g in np.flatnonzero(binding):
            lpu = FAMILIES[fam[g]].lp_per_unit
            holds[g] = ranger.room([items[i] for i in members[g]]) / lpu
            if holds[g] >= 1.0 - HOLDS_TOL:
                real_pv[g], by[g] = shown_pv[g], "ranging"
            else:
                real_pv[g], by[g] = shown_pv[g] * max(holds[g], 0.0), "ranging bound"

        def resolve(g: int) -> None:
            lpu = FAMILIES[fam[g]].lp_per_unit
            gain = ranger.gain([items[i] for i in members[g]], lpu) * 1e6
            if np.isfinite(gain):  # never above the dual nor below zero, but for solver tolerance
                real_pv[g], by[g] = min(max(gain, 0.0), max(shown_pv[g], 0.0)), "re-solve"

        for lst, need in _display_lists(df.iloc[first].reset_index(drop=True), binding, shown, runs or {}):
            budget = _walk(lst, need, shown_pv, by, real_pv, resolve, budget)
    years = df["year"].to_numpy(object)[first]
    disc = np.array([1.0 if pd.isna(y) else float(discount(int(y))) for y in years])
    real = real_pv / disc
    exact = np.isin(by, EXACT)
    low = real < DEGENERATE_SHARE * shown
    degenerate = pd.array(np.where(binding & low, True, False), dtype="boolean")
    degenerate[binding & low & ~exact] = pd.NA
    degenerate[by == "unchecked"] = pd.NA
    out["holds_for_units"] = holds[gid]
    out["realised_usd_per_unit"] = real[gid]
    out["realised_pv_usd_per_unit"] = real_pv[gid]
    out["realised_by"] = by[gid]
    out["degenerate"] = degenerate[gid]
    return out


def _display_lists(groups: pd.DataFrame, binding: np.ndarray, shown: np.ndarray, runs: Mapping[int, Sequence[str]] | None = None):
    """The ranked lists the tables show, as (binding group ids by shadow price, how many of the
    top must be exact): one per timeline family and year (its top member), one per year of
    global and regional limits (the top :data:`TOP_BINDING_PER_YEAR`), and one per training run
    in `runs` (year -> member sites): the limits of that year or before (or of no year) at its
    members, their regions and global ones, as the largest-run mode lists them (the top :data:`TOP_BINDING_PER_YEAR`).
    Most valuable list first."""
    g = groups.assign(_g=np.arange(len(groups)), _v=shown)[binding]
    lists = []
    tl = g[g["family"].isin(timeline_families()) & g["year"].notna()]
    for _, m in tl.groupby(["family", "year"], sort=False):
        lists.append((m.sort_values("_v", ascending=False)["_g"].tolist(), 1))
    limits = g[~g["family"].isin(not_limits())]
    b = limits[limits["scope"].isin(("global", "region"))]
    for _, m in b.groupby("year", sort=False, dropna=False):
        lists.append((m.sort_values("_v", ascending=False)["_g"].tolist(), TOP_BINDING_PER_YEAR))
    for year, members in (runs or {}).items():
        m = limits[bears_on_run(limits, year, members)]
        if len(m):
            lists.append((m.sort_values("_v", ascending=False)["_g"].tolist(), TOP_BINDING_PER_YEAR))
    lists.sort(key=lambda t: -shown[t[0][0]])
    return lists


def _walk(lst: list[int], need: int, shown_pv, by, real_pv, resolve, budget: int) -> int:
    """Re-solve members of `lst` (in order of shadow price) until its top `need` by value are
    exact: no later member's shadow price (an upper bound on its value) beats the need-th best
    exact value so far. A list is one year, so present values compare as year-y ones. Returns
    the budget left."""
    exact: list[float] = []
    spent = 0
    for g in lst:
        if len(exact) >= need and sorted(exact, reverse=True)[need - 1] >= shown_pv[g] * (1 - HOLDS_TOL):
            break
        if by[g] not in EXACT:
            if budget <= 0 or spent >= RESOLVES_PER_LIST:
                continue
            resolve(g)
            budget -= 1
            spent += 1
        if by[g] in EXACT:
            exact.append(float(real_pv[g]))
    return budget
