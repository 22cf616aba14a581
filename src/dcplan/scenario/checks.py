"""Checks across tables: references between ids, year coverage, lead times vs horizon.

Checks only use what passed its own validation, so one bad cell gives one problem: the typed
tables hold only the rows that validated, `raw` holds only the tables whose columns are all
there, and `params` holds only valid parameters.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from dcplan.errors import InputProblem
from dcplan.scenario.schema import (
    ASSET_UNITS,
    CORE_SITE_ASSETS,
    GLOBAL_ASSETS,
    GSU_ASSET,
    LEGACY_COLUMN,
    LEGACY_GAS_PARAMETERS,
    LEGACY_TECHNOLOGY,
    PARAMETERS,
    SITE_LIMIT_COLUMNS,
    TABLES,
)

_SITE_LIMIT = {"shell": "max_it_mw", "grid_interconnection": "max_grid_mw"}

ParamWhere = dict[str, tuple[str, int | None, str | None]]
"""Where each parameter's value came from: (file, row, column)."""


def _ids(raw: Mapping[str, pd.DataFrame], table: str, col: str) -> set[str] | None:
    """Ids in column `col` of `table` (rows that failed validation included, so they cause no
    'unknown id' problems elsewhere); None when the table cannot be checked."""
    df = raw.get(table)
    if df is None or col not in df.columns:
        return None
    return {str(v).strip() for v in df[col]} - {""}


def _unknown(label: str, row: int, col: str, value: str, known: set[str], what: str) -> InputProblem:
    sample = ", ".join(sorted(known)[:12]) + (", ..." if len(known) > 12 else "")
    expected = f"expected one of: {sample}" if known else "none are defined"
    return InputProblem(label, f"unknown {what} '{value}'; {expected}", row=row, column=col)


def _references(raw: Mapping[str, pd.DataFrame], labels: Mapping[str, str]) -> list[InputProblem]:
    """Every id that refers to a row of another table (or a fixed list) must exist."""
    out: list[InputProblem] = []
    sites, regions, gens = _ids(raw, "sites", "site"), _ids(raw, "regions", "region"), _ids(raw, "gpus", "generation")
    slices = _ids(raw, "time_slices", "slice")
    slices = None if slices is None else (slices or {"year"})  # absent: one slice 'year'; None: reported
    techs = _ids(raw, "power_technologies", "technology")
    if not techs and "power_technologies" in raw:
        techs = {LEGACY_TECHNOLOGY}  # no rows: the legacy gas turbine
    assets = set(CORE_SITE_ASSETS) | (techs or set()) | ({GSU_ASSET} if _gsu_technologies(raw) else set())
    families = _ids(raw, "power_technologies", "family") if techs != {LEGACY_TECHNOLOGY} else set()
    contracted = _contracted(raw)
    for table, col, known, what in (
        ("sites", "region", regions, "region"),
        ("pipeline", "site", sites, "site"),
        ("pipeline", "asset", assets, "asset"),
        ("gpu_pipeline", "site", sites, "site"),
        ("gpu_pipeline", "generation", gens, "GPU generation"),
        ("cowos_allocation", "generation", gens, "GPU generation"),
        ("permitting", "region", regions, "region"),
        ("permitting", "asset", assets, "asset"),
        ("slice_profiles", "region", regions, "region"),
        ("slice_profiles", "slice", slices, "time slice"),
        ("power_technology_slices", "technology", techs, "power technology"),
        ("power_technology_slices", "slice", slices, "time slice"),
        ("power_deliveries", "family", families, "technology family (power_technologies.csv column family)"),
        ("power_plants", "technology", contracted, "contracted technology (power_technologies.csv, kind contracted)"),
    ):
        df = raw.get(table)
        if known is None or df is None or col not in df.columns:
            continue  # the referenced table has its own problem
        for i, v in zip(df.index, df[col], strict=False):
            v = str(v).strip()
            if v and v not in known:
                p = _unknown(labels[table], int(i) + 2, col, v, known, what)
                if v == LEGACY_TECHNOLOGY and table in ("pipeline", "permitting"):
                    p = InputProblem(p.file, p.message + " (gas turbines are rows of power_technologies.csv when the "
                                     "scenario has that table: use a technology id such as gas_sc)", p.row, p.column)
                out.append(p)
    return out


def _gsu_technologies(raw: Mapping[str, pd.DataFrame]) -> dict[str, int]:
    """On-site technologies whose gsu_mva_per_mw is a positive number -> their CSV line."""
    df = raw.get("power_technologies")
    if df is None or "gsu_mva_per_mw" not in df.columns or "kind" not in df.columns:
        return {}
    out = {}
    for i, t, k, v in zip(df.index, df["technology"], df["kind"], df["gsu_mva_per_mw"], strict=False):
        try:
            positive = float(str(v).strip() or 0) > 0
        except ValueError:
            positive = False  # reported by the row check
        if positive and str(k).strip() == "onsite":
            out[str(t).strip()] = int(i) + 2
    return out


def _gsu_parameters(raw: Mapping[str, pd.DataFrame], labels: Mapping[str, str], where: ParamWhere) -> list[InputProblem]:
    """The GSU parameters (schema ParamSpec gsu) are required when an on-site technology of
    power_technologies.csv needs GSUs (gsu_mva_per_mw > 0)."""
    needs = _gsu_technologies(raw)
    names = _ids(raw, "parameters", "name")  # None when parameters.csv cannot be checked
    if not needs or names is None:
        return []
    tech, line = next(iter(needs.items()))
    lab = labels.get("power_technologies", TABLES["power_technologies"].file)
    return [
        InputProblem(labels["parameters"], f"parameter '{name}' ({spec.unit}) is missing; it is required because {lab} "
                     f"row {line} ({tech}) has gsu_mva_per_mw > 0 (generator step-up transformers, eq. T3)", column="name")
        for name, spec in PARAMETERS.items()
        if spec.gsu and name not in where and name not in names
    ]


def _contracted(raw: Mapping[str, pd.DataFrame]) -> set[str] | None:
    """Ids of contracted technologies (None when power_technologies.csv cannot be checked)."""
    df = raw.get("power_technologies")
    if df is None or "kind" not in df.columns:
        return None
    return {str(t).strip() for t, k in zip(df["technology"], df["kind"], strict=False) if str(k).strip() == "contracted"}


def _legacy_power(
    typed: Mapping[str, pd.DataFrame], raw: Mapping[str, pd.DataFrame], params: Mapping[str, float],
    labels: Mapping[str, str], where: ParamWhere,
) -> list[InputProblem]:
    """Without power_technologies.csv the gas_turbine parameters and supply.csv's
    gas_turbine_mw_per_year describe the one on-site technology and are required; with it they
    are refused, naming the table and column that replaced them."""
    out: list[InputProblem] = []
    has_table = len(typed["power_technologies"]) > 0 or bool(len(raw.get("power_technologies", ())))
    names = _ids(raw, "parameters", "name")  # None when parameters.csv cannot be checked
    for name in LEGACY_GAS_PARAMETERS:
        if has_table and name in where:
            file, row, col = where[name]
            out.append(InputProblem(file, f"parameter '{name}': with power_technologies.csv, gas turbines are rows of that "
                                    f"table (e.g. gas_sc); set {LEGACY_COLUMN[name]} instead and remove this", row, col))
        elif not has_table and names is not None and name not in where and name not in names:
            out.append(InputProblem(labels["parameters"], f"parameter '{name}' ({LEGACY_GAS_PARAMETERS[name].unit}) is missing; "
                                    "add a row for it, or describe power technologies in power_technologies.csv", column="name"))
    sup = raw.get("supply")
    if sup is not None:
        col = "gas_turbine_mw_per_year"
        given = col in sup.columns and any(str(v).strip() for v in sup[col])
        if has_table and given:
            out.append(InputProblem(labels["supply"], f"column '{col}': with power_technologies.csv, deliveries are rows of "
                                    "power_deliveries.csv (family, year, deliveries_mw_per_year, planner_share); remove the column",
                                    1, col))
        elif not has_table:
            blank = [int(i) + 2 for i, v in zip(sup.index, sup[col] if col in sup.columns else [""] * len(sup), strict=False) if not str(v).strip()]
            for r in blank:
                out.append(InputProblem(labels["supply"], "blank; a value is required without power_technologies.csv "
                                        "(or give deliveries in power_deliveries.csv)", r, col))
    return out


def _power_rules(typed: Mapping[str, pd.DataFrame], labels: Mapping[str, str], start: int, end: int) -> list[InputProblem]:
    """Rules of the power technology tables: site limits, named plants, delivery years."""
    out: list[InputProblem] = []
    lab = labels.get("power_technologies", TABLES["power_technologies"].file)
    for i, r in typed["power_technologies"].iterrows():
        lim = r["site_limit"]
        if lim is not None and lim == lim and lim not in SITE_LIMIT_COLUMNS:
            out.append(InputProblem(lab, f"unknown site limit '{lim}'; expected blank or one of: {', '.join(SITE_LIMIT_COLUMNS)} "
                                    "(a sites.csv column)", int(i) + 2, "site_limit"))
        if r["kind"] == "onsite" and int(r["named_plants_only"]):
            out.append(InputProblem(lab, "named_plants_only = 1 for an onsite technology; named plants (power_plants.csv) "
                                    "are for contracted technologies", int(i) + 2, "named_plants_only"))
    d = typed["power_deliveries"]
    for fam, g in d.groupby("family"):
        missing = sorted(set(range(start, end + 1)) - {int(y) for y in g["year"]})
        if missing:
            out.append(InputProblem(labels.get("power_deliveries", "power_deliveries.csv"),
                                    f"family {fam}: missing year(s) {', '.join(map(str, missing))}; a capped family needs "
                                    f"a row for every horizon year {start}-{end}", int(g.index[-1]) + 2, "year"))
    return out


def _slice_hours(typed: Mapping[str, pd.DataFrame], labels: Mapping[str, str]) -> list[InputProblem]:
    """Time slices must add up to one year."""
    ts = typed.get("time_slices")
    if ts is None or not len(ts):
        return []
    total = float(ts["hours"].sum())
    if abs(total - 8760.0) > 1e-6:
        return [InputProblem(labels["time_slices"], f"hours sum to {total:g}; expected 8760 (one year)", column="hours")]
    return []


def _row_rules(typed: Mapping[str, pd.DataFrame], labels: Mapping[str, str]) -> list[InputProblem]:
    """Rules between columns of one row: pipeline units, GPU shipping years."""
    out: list[InputProblem] = []
    pl = typed["pipeline"]
    for i, asset, unit in zip(pl.index, pl["asset"], pl["unit"], strict=True):
        want = ASSET_UNITS.get(asset, "MW")
        if want and unit != want:
            out.append(InputProblem(labels["pipeline"], f"unit '{unit}' for asset {asset}; expected '{want}'", int(i) + 2, "unit"))
    g = typed["gpus"]
    for i, first, last in zip(g.index, g["first_year"], g["last_year"], strict=True):
        if first > last:
            out.append(InputProblem(labels["gpus"], f"first_year {first} is after last_year {last}", int(i) + 2, "last_year"))
    return out


def _tranche_shares(typed: Mapping[str, pd.DataFrame], labels: Mapping[str, str]) -> list[InputProblem]:
    """The value-of-compute tranches split all of demand: their shares add up to 1."""
    tr = typed.get("demand_tranches")
    if tr is None or not len(tr):
        return []
    total = float(tr["share_of_demand"].sum())
    if abs(total - 1.0) > 1e-6:
        return [InputProblem(labels["demand_tranches"], f"share_of_demand values sum to {total:g}; expected 1 (the tranches split all of demand)", column="share_of_demand")]
    return []


def _year_coverage(raw: Mapping[str, pd.DataFrame], labels: Mapping[str, str], start: int, end: int) -> list[InputProblem]:
    """supply.csv (and demand.csv when given) has a row for every horizon year (a row with a
    bad value still counts).

    Skipped while a year cell is unreadable: that row may be the 'missing' year, and the
    unreadable cell is reported already."""
    out = _years_of(raw, labels, "supply", start, end)
    dem = raw.get("demand")
    if dem is not None and len(dem):
        out += _years_of(raw, labels, "demand", start, end)
    return out


def _years_of(raw: Mapping[str, pd.DataFrame], labels: Mapping[str, str], table: str, start: int, end: int) -> list[InputProblem]:
    """Table `table` has a row for every horizon year."""
    df = raw.get(table)
    if df is None:
        return []
    present = set()
    for v in df["year"]:
        try:
            present.add(int(float(str(v).strip())))
        except (ValueError, OverflowError):  # 'x', 'inf', a 400-digit number: reported by its row
            return []
    missing = sorted(set(range(start, end + 1)) - present)
    if not missing:
        return []
    return [
        InputProblem(
            labels[table],
            f"missing year(s) {', '.join(map(str, missing))}; every horizon year {start}-{end} needs a row",
            column="year",
        )
    ]


def _lead_times(
    typed: Mapping[str, pd.DataFrame], params: Mapping[str, float], labels: Mapping[str, str], where: ParamWhere, start: int, end: int
) -> list[InputProblem]:
    """Every lead time, with its state permitting adder, is >= 0 and fits the horizon."""
    out: list[InputProblem] = []
    n_years = end - start + 1
    tech_lead = {t: int(x) for t, x in zip(typed["power_technologies"]["technology"], typed["power_technologies"]["lead_time_years"], strict=False)}
    for asset in CORE_SITE_ASSETS + GLOBAL_ASSETS + (LEGACY_TECHNOLOGY, GSU_ASSET):
        key = f"lead_time_years.{asset}"
        if key in params and params[key] >= n_years:
            file, row, col = where.get(key, (labels["parameters"], None, "value"))
            out.append(
                InputProblem(
                    file,
                    f"{key} = {params[key]:g} does not fit the {n_years}-year horizon {start}-{end}: nothing decided "
                    f"in the horizon could come online in it; expected at most {n_years - 1}",
                    row,
                    col,
                )
            )
    for i, r in typed["permitting"].iterrows():
        is_tech = r["asset"] in tech_lead
        base = tech_lead[r["asset"]] if is_tech else params.get(f"lead_time_years.{r['asset']}")
        if base is None or base >= n_years and not is_tech:
            continue  # unknown asset or base already reported
        extra = int(r["extra_lead_time_years"])
        total = base + extra
        base_name = f"{r['asset']} lead_time_years (power_technologies.csv)" if is_tech else f"lead_time_years.{r['asset']}"
        sum_text = f"{base_name} {base:g} {extra:+d} permitting = {total:g} years"
        if total < 0:
            out.append(InputProblem(labels["permitting"], f"lead time of {r['asset']} in {r['region']} is negative: {sum_text}", int(i) + 2, "extra_lead_time_years"))
        elif total >= n_years and not is_tech:
            out.append(
                InputProblem(
                    labels["permitting"],
                    f"lead time of {r['asset']} in {r['region']} does not fit the {n_years}-year horizon {start}-{end}: "
                    f"{sum_text}; expected at most {n_years - 1}",
                    int(i) + 2,
                    "extra_lead_time_years",
                )
            )
    return out


def _site_limits(typed: Mapping[str, pd.DataFrame], labels: Mapping[str, str]) -> list[InputProblem]:
    """Pipeline capacity at each site stays within the site's physical limits."""
    out: list[InputProblem] = []
    pl = typed["pipeline"]
    if not len(typed["sites"]) or not len(pl):
        return out
    limit_of = dict(_SITE_LIMIT)
    techs = typed["power_technologies"]
    if len(techs):
        limit_of.update({t: c for t, c in zip(techs["technology"], techs["site_limit"], strict=False) if c in SITE_LIMIT_COLUMNS})
    else:
        limit_of[LEGACY_TECHNOLOGY] = "max_onsite_gas_mw"
    st, cols = typed["sites"], sorted(set(limit_of.values()))
    limits: dict[str, dict[str, float]] = {}
    for site, *values in zip(st["site"], *(st[c] for c in cols), strict=True):
        limits.setdefault(site, dict(zip(cols, values, strict=True)))  # the first row: duplicates are reported already
    groups: dict[tuple[str, str], list[tuple[int, str, float]]] = {}  # (site, limit column) -> rows
    for i, site, asset, cap in zip(pl.index, pl["site"], pl["asset"], pl["capacity"], strict=True):
        col = limit_of.get(asset)
        if col is not None and site in limits:
            groups.setdefault((site, col), []).append((int(i), asset, float(cap)))
    for (site, col), grp in sorted(groups.items()):
        total, limit = sum(cap for _, _, cap in grp), limits[site][col]
        if not total > limit + 1e-9:
            continue
        asset = "/".join(sorted({a for _, a, _ in grp}))
        rows = ", ".join(str(i + 2) for i, _, _ in grp)
        out.append(
            InputProblem(
                labels["pipeline"],
                f"pipeline {asset} at {site} totals {total:g} MW (rows {rows}), above the site's {col} = {limit:g} in sites.csv",
                grp[-1][0] + 2,
                "capacity",
            )
        )
    return out


def cross_checks(
    typed: dict[str, pd.DataFrame],
    params: dict[str, float],
    labels: dict[str, str],
    raw: dict[str, pd.DataFrame],
    where: ParamWhere | None = None,
) -> list[InputProblem]:
    """Return every cross-table problem.

    `typed` holds the rows that validated (index = CSV line - 2), `raw` the string tables that
    have all their columns, `params` the valid parameters, `where` where each came from.
    """
    where = where or {}
    out = _references(raw, labels) + _row_rules(typed, labels) + _site_limits(typed, labels) + _slice_hours(typed, labels)
    out += _tranche_shares(typed, labels)
    out += _legacy_power(typed, raw, params, labels, where)
    out += _gsu_parameters(raw, labels, where)
    out += _co2_regions(typed, params, where)
    if "horizon.start_year" not in params or "horizon.end_year" not in params:
        return out
    start, end = int(params["horizon.start_year"]), int(params["horizon.end_year"])
    if start > end:
        file, row, col = where.get("horizon.end_year", (labels["parameters"], None, "value"))
        out.append(InputProblem(file, f"horizon.start_year {start} is after horizon.end_year {end}", row, col))
        return out
    out += _power_rules(typed, labels, start, end)
    return out + _year_coverage(raw, labels, start, end) + _lead_times(typed, params, labels, where, start, end)


def _co2_regions(typed: Mapping[str, pd.DataFrame], params: Mapping[str, float], where: ParamWhere) -> list[InputProblem]:
    """A per-state CO2 cap co2.cap_mt_per_year.<region> must name a region of regions.csv."""
    from dcplan.scenario.schema import CO2_STATE_CAP_PREFIX

    regions = set(typed["regions"]["region"])
    out = []
    for name in params:
        if name.startswith(CO2_STATE_CAP_PREFIX) and name[len(CO2_STATE_CAP_PREFIX):] not in regions:
            file, row, col = where.get(name, ("parameters.csv", None, "name"))
            out.append(InputProblem(file, f"parameter '{name}': unknown region '{name[len(CO2_STATE_CAP_PREFIX):]}'; expected "
                                    f"co2.cap_mt_per_year.<region> with a region of regions.csv", row, col))
    return out
