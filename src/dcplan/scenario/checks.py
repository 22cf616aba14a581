"""Checks across tables: references between ids, year coverage, lead times vs horizon."""

from __future__ import annotations

import pandas as pd

from dcplan.errors import InputProblem
from dcplan.scenario.schema import ASSET_UNITS, GLOBAL_ASSETS, SITE_ASSETS

_SITE_LIMIT = {"shell": "max_it_mw", "grid_interconnection": "max_grid_mw", "gas_turbine": "max_onsite_gas_mw"}


def _ids(raw: dict[str, pd.DataFrame], table: str, col: str) -> set[str]:
    df = raw.get(table)
    if df is None or col not in df.columns:
        return set()
    return {str(v).strip() for v in df[col]}


def _unknown(label: str, row: int, col: str, value: str, known: set[str], what: str) -> InputProblem:
    sample = ", ".join(sorted(known)[:12]) + (", ..." if len(known) > 12 else "")
    return InputProblem(label, f"unknown {what} '{value}'; expected one of: {sample}", row=row, column=col)


def cross_checks(
    typed: dict[str, pd.DataFrame],
    params: dict[str, float],
    labels: dict[str, str],
    raw: dict[str, pd.DataFrame],
) -> list[InputProblem]:
    """Return every cross-table problem. Id sets come from the raw tables, so a row that
    failed its own validation does not cause spurious 'unknown id' errors elsewhere."""
    out: list[InputProblem] = []
    sites = _ids(raw, "sites", "site")
    regions = _ids(raw, "regions", "region")
    gens = _ids(raw, "gpus", "generation")

    def refs(table: str, col: str, known: set[str], what: str) -> None:
        df = raw.get(table)
        if df is None or col not in df.columns:
            return
        for i, v in enumerate(df[col]):
            v = str(v).strip()
            if v and v not in known:
                out.append(_unknown(labels[table], i + 2, col, v, known, what))

    refs("sites", "region", regions, "region")
    refs("pipeline", "site", sites, "site")
    refs("pipeline", "asset", set(SITE_ASSETS), "asset")
    refs("gpu_pipeline", "site", sites, "site")
    refs("gpu_pipeline", "generation", gens, "GPU generation")
    refs("permitting", "region", regions, "region")
    refs("permitting", "asset", set(SITE_ASSETS), "asset")

    # pipeline units
    pl = typed["pipeline"]
    for i, r in pl.iterrows():
        want = ASSET_UNITS.get(r["asset"])
        if want and r["unit"] != want:
            out.append(InputProblem(labels["pipeline"], f"unit '{r['unit']}' for asset {r['asset']}; expected '{want}'", int(i) + 2, "unit"))

    gpus = typed["gpus"]
    for i, r in gpus.iterrows():
        if r["first_year"] > r["last_year"]:
            out.append(
                InputProblem(labels["gpus"], f"first_year {r['first_year']} is after last_year {r['last_year']}", int(i) + 2, "last_year")
            )

    if "horizon.start_year" not in params or "horizon.end_year" not in params:
        return out
    start, end = int(params["horizon.start_year"]), int(params["horizon.end_year"])
    if start > end:
        out.append(InputProblem(labels["parameters"], f"horizon.start_year {start} is after horizon.end_year {end}", column="value"))
        return out
    years = set(range(start, end + 1))
    n_years = end - start + 1

    # time series cover the horizon
    sup = typed["supply"]
    missing = sorted(years - set(sup["year"].astype(int)))
    if missing:
        out.append(
            InputProblem(labels["supply"], f"missing year(s) {', '.join(map(str, missing))}; every horizon year {start}-{end} needs a row", column="year")
        )

    # lead times fit the horizon
    perm = typed["permitting"]
    adders = {(r["region"], r["asset"]): int(r["extra_lead_time_years"]) for _, r in perm.iterrows()}
    for asset in SITE_ASSETS + GLOBAL_ASSETS:
        key = f"lead_time_years.{asset}"
        if key in params and params[key] >= n_years:
            out.append(
                InputProblem(
                    labels["parameters"],
                    f"{key} = {params[key]:g} does not fit the {n_years}-year horizon {start}-{end}: "
                    "nothing decided in the horizon could come online in it",
                    column="value",
                )
            )
    for i, r in perm.iterrows():
        base = params.get(f"lead_time_years.{r['asset']}")
        if base is None:
            continue
        total = base + int(r["extra_lead_time_years"])
        if total < 0:
            out.append(InputProblem(labels["permitting"], f"lead time {base:g}{int(r['extra_lead_time_years']):+d} = {total:g} years is negative", int(i) + 2, "extra_lead_time_years"))
        elif total >= n_years:
            out.append(
                InputProblem(
                    labels["permitting"],
                    f"lead time of {r['asset']} in {r['region']} = {total:g} years does not fit the {n_years}-year horizon {start}-{end}",
                    int(i) + 2,
                    "extra_lead_time_years",
                )
            )

    # pipeline within each site's physical limits
    st = typed["sites"].set_index("site") if len(typed["sites"]) else None
    if st is not None and len(pl):
        for (site, asset), grp in pl.groupby(["site", "asset"]):
            col = _SITE_LIMIT.get(asset)
            if col is None or site not in st.index:
                continue
            total = grp["capacity"].sum()
            if total > st.loc[site, col] + 1e-9:
                row = int(grp.index[-1]) + 2
                out.append(
                    InputProblem(
                        labels["pipeline"],
                        f"pipeline {asset} at {site} totals {total:g} MW, above the site's {col} = {st.loc[site, col]:g}",
                        row,
                        "capacity",
                    )
                )
    return out
