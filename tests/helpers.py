"""Small helpers for reading answers off Results in tests."""

from __future__ import annotations

import pandas as pd


def shadow(res, family: str, year: int | None = None, **key) -> pd.Series:
    """The single shadow-price row of `family` (at `year` and other key columns)."""
    sp = res.shadow_prices
    m = sp["family"] == family
    if year is not None:
        m &= sp["year"] == year
    for k, v in key.items():
        m &= sp[k] == v
    rows = sp[m]
    assert len(rows) == 1, f"expected one {family} row for {year} {key}, got {len(rows)}"
    return rows.iloc[0]


def online(res, asset: str, site: str, year: int) -> float:
    """Capacity of `asset` at `site` in service in `year` (0 when absent)."""
    c = res.capacity
    r = c[(c["asset"] == asset) & (c["site"] == site) & (c["year"] == year)]
    return float(r["online"].sum())


def cost(res, category: str) -> float:
    """Total undiscounted cost of `category`, USD."""
    c = res.costs
    return float(c.loc[c["category"] == category, "cost_usd"].sum())
