"""Matplotlib charts of one run, ready for a memo or a Jupyter cell.

Every function takes a `dcplan.Results`, a `LoadedResults` from `read_results`, or a mapping of
table name -> DataFrame, and returns a `matplotlib.figure.Figure` built with the object-oriented
API (no pyplot state, so they work under any backend and in batch). Pass `ax=` to draw into an
existing axes instead. `save_figures` writes them all as PNGs.

Units on the charts: compute in million H100e, power in GW, transformers in GVA, money in USD bn
(year-y dollars unless stated), shadow prices in USD per planner unit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from dcplan.model.registry import asset, cost_category, ordered_categories, penalty_categories
from dcplan.results.bottlenecks import bottleneck_timeline, timeline_matrix
from dcplan.results.realised import holds_value
from dcplan.scenario.schema import TRANSFORMER_ASSETS

GRID_COLOR, GAS_COLOR, DEMAND_COLOR, UNMET_COLOR = "#55A868", "#DD8452", "#222222", "#C44E52"


# ---------------------------------------------------------------- helpers


def _table(data, name: str) -> pd.DataFrame:
    """Table `name` from a Results / LoadedResults (attribute) or a mapping of DataFrames."""
    if isinstance(data, Mapping):
        if name not in data:
            raise KeyError(f"no {name!r} table among {sorted(data)}")
        return data[name]
    return getattr(data, name)


class InlineFigure(Figure):
    """A matplotlib Figure that Jupyter shows as a PNG without ``%matplotlib inline`` (its
    ``_repr_png_``); with the inline backend active, Jupyter's own formatter shows it once."""

    def _repr_png_(self) -> bytes:
        import io

        buf = io.BytesIO()
        self.savefig(buf, format="png", dpi=100)
        return buf.getvalue()


def _figure(ax, figsize=(10, 5.5)):
    """(fig, ax): the given axes' figure, or a new constrained-layout figure with one axes."""
    if ax is not None:
        return ax.figure, ax
    fig = InlineFigure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


def _fmt(div: float, decimals: int = 0) -> FuncFormatter:
    return FuncFormatter(lambda v, _: f"{v / div:,.{decimals}f}" if div != 1 else f"{v:,.{decimals}f}")


def _years_axis(ax, years) -> None:
    years = sorted(int(y) for y in years)
    ax.set_xticks(years)
    ax.set_xticklabels([str(y) for y in years])
    ax.set_xlabel("year")


def money(v: float) -> str:
    """Compact USD: $950, $12k, $3.1M, $2.4bn."""
    a = abs(v)
    for div, suf in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if a >= div:
            x = v / div
            return f"${x:,.1f}{suf}" if abs(x) < 100 else f"${x:,.0f}{suf}"
    return f"${v:,.0f}"


def generation_order(gpus: pd.DataFrame) -> list[str]:
    """GPU generations oldest first: by H100e per GPU (newer chips do more per GPU), then name."""
    g = gpus[gpus["in_use"] > 0]
    per_gpu = g.groupby("generation")["in_use_h100e"].sum() / g.groupby("generation")["in_use"].sum()
    gens = sorted(set(gpus["generation"]))
    return sorted(gens, key=lambda k: (float(per_gpu.get(k, np.inf)), k))


# ---------------------------------------------------------------- compute


def plot_compute(data, ax=None) -> Figure:
    """Compute online by GPU generation (stacked area, million H100e), demand as a line and the
    unmet demand between them shaded."""
    fig, ax = _figure(ax)
    gpus, comp = _table(data, "gpus"), _table(data, "compute").sort_values("year")
    years = comp["year"].astype(int).to_numpy()
    order = generation_order(gpus)
    piv = (
        gpus.pivot_table(index="year", columns="generation", values="in_use_h100e", aggfunc="sum")
        .reindex(years)
        .fillna(0.0)
    )
    piv = piv.reindex(columns=order).fillna(0.0).clip(lower=0)
    cmap = mpl.colormaps["viridis"]
    colors = [cmap(x) for x in np.linspace(0.05, 0.9, max(len(order), 1))]
    ax.stackplot(
        years,
        piv.T.to_numpy() / 1e6,
        labels=[str(g).upper().replace("_", " ") for g in order],
        colors=colors,
        alpha=0.9,
    )
    online = comp["online_h100e"].to_numpy() / 1e6
    demand = comp["demand_h100e"].to_numpy() / 1e6
    ax.plot(years, demand, color=DEMAND_COLOR, lw=2.2, marker="o", ms=4, label="demand")
    ax.fill_between(
        years,
        online,
        demand,
        where=demand > online + 1e-9,
        interpolate=True,
        facecolor="none",
        edgecolor=UNMET_COLOR,
        hatch="///",
        lw=0,
        label="unmet demand",
    )
    ax.yaxis.set_major_formatter(_fmt(1, 0))
    ax.set_ylabel("compute online (million H100-equivalents)")
    ax.set_ylim(bottom=0)
    _years_axis(ax, years)
    ax.set_title("Compute online by GPU generation vs demand")
    h, lab = ax.get_legend_handles_labels()
    n = len(order)
    ax.legend(h[:n][::-1] + h[n:], lab[:n][::-1] + lab[n:], loc="upper left", fontsize=9, frameon=False)
    ax.grid(axis="y", alpha=0.3)
    return fig


def plot_unmet(data, ax=None) -> Figure:
    """Unmet compute demand per year (million H100e), labelled with its share of demand."""
    fig, ax = _figure(ax, (10, 4.5))
    comp = _table(data, "compute").sort_values("year")
    years = comp["year"].astype(int).to_numpy()
    unmet = comp["unmet_h100e"].clip(lower=0).to_numpy() / 1e6
    demand = comp["demand_h100e"].to_numpy() / 1e6
    bars = ax.bar(years, unmet, color=UNMET_COLOR, width=0.7, label="unmet demand")
    top = max(float(unmet.max()) if len(unmet) else 0.0, 1e-9)
    for b, u, d in zip(bars, unmet, demand, strict=False):
        if u > 1e-6:
            ax.annotate(
                f"{u:,.1f}M\n({u / d:.0%} of demand)" if d else f"{u:,.1f}M",
                (b.get_x() + b.get_width() / 2, u),
                xytext=(0, 3),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=8,
            )
    if unmet.sum() <= 1e-6:
        ax.text(
            0.5,
            0.5,
            "all demand met in every year",
            transform=ax.transAxes,
            ha="center",
            va="center",
            fontsize=12,
            color="#555",
        )
        ax.set_ylim(0, 1)
    else:
        ax.set_ylim(0, top * 1.25)
    ax.set_ylabel("unmet demand (million H100e)")
    _years_axis(ax, years)
    ax.set_title("Unmet compute demand")
    ax.legend(loc="upper left", frameon=False)
    ax.grid(axis="y", alpha=0.3)
    return fig


# ---------------------------------------------------------------- power


def plot_power_by_source(data, ax=None) -> Figure:
    """Peak power by source (grid vs on-site generation, stacked, GW) with facility and IT load
    lines; power_by_technology splits both by technology."""
    fig, ax = _figure(ax)
    p = _table(data, "power").groupby("year")[["it_mw", "facility_mw", "grid_mw", "gas_mw"]].sum().sort_index()
    years = p.index.astype(int).to_numpy()
    ax.stackplot(
        years,
        p["grid_mw"].clip(lower=0) / 1e3,
        p["gas_mw"].clip(lower=0) / 1e3,
        labels=["grid (peak draw, incl. contracted supply)", "on-site generation (peak)"],
        colors=[GRID_COLOR, GAS_COLOR],
        alpha=0.85,
    )
    ax.plot(years, p["facility_mw"] / 1e3, color=DEMAND_COLOR, lw=2, marker="o", ms=4, label="facility load (IT × PUE)")
    ax.plot(years, p["it_mw"] / 1e3, color=DEMAND_COLOR, lw=1.5, ls="--", label="IT load")
    ax.set_ylabel("peak power (GW)")
    ax.set_ylim(bottom=0)
    _years_axis(ax, years)
    ax.set_title("Power by source")
    ax.legend(loc="upper left", frameon=False)
    ax.grid(axis="y", alpha=0.3)
    return fig


def plot_power_by_state(data, ax=None, top: int = 11) -> Figure:
    """Peak facility load by state (stacked bars, GW); states beyond the `top` largest are "other"."""
    fig, ax = _figure(ax)
    p = _table(data, "power")
    piv = (
        p.pivot_table(index="year", columns="region", values="facility_mw", aggfunc="sum")
        .fillna(0.0)
        .clip(lower=0)
        .sort_index()
    )
    order = piv.iloc[-1].sort_values(ascending=False).index.tolist() if len(piv) else []
    keep = order[:top]
    if len(order) > top:
        piv["other"] = piv[order[top:]].sum(axis=1)
        keep = keep + ["other"]
    years = piv.index.astype(int).to_numpy()
    cmap = mpl.colormaps["tab20"]
    bottom = np.zeros(len(years))
    for i, r in enumerate(keep):
        v = piv[r].to_numpy() / 1e3
        ax.bar(
            years,
            v,
            bottom=bottom,
            width=0.75,
            label=r,
            color="#BBBBBB" if r == "other" else cmap(i % 20),
            edgecolor="white",
            lw=0.4,
        )
        bottom += v
    ax.set_ylabel("peak facility load (GW)")
    _years_axis(ax, years)
    ax.set_title("Power by state (peak facility load, IT × PUE)")
    h, lab = ax.get_legend_handles_labels()
    ax.legend(h[::-1], lab[::-1], loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, title="state")
    ax.grid(axis="y", alpha=0.3)
    return fig


TECH_COLORS = {
    "gas_turbine": "#DD8452", "gas_sc": "#DD8452", "gas_cc": "#C44E52", "recip": "#937860", "fuel_cell": "#DA8BC3",
    "battery_4h": "#8172B3", "nuclear_restart": "#4C72B0", "nuclear_ppa": "#64B5CD", "nuclear_uprate": "#A6D4E3",
    "smr": "#2F4B7C", "solar_storage": "#CCB974",
}


def plot_power_by_technology(data) -> Figure:
    """Power technologies per year: MW online by technology (stacked, GW; on-site and contracted)
    in the top panel, CO2 from on-site and contracted generation (Mt/yr) in the bottom one."""
    fig = InlineFigure(figsize=(10, 7), layout="constrained")
    ax1, ax2 = fig.subplots(2, 1, sharex=True, height_ratios=[2, 1])
    years = sorted(int(y) for y in _table(data, "compute")["year"])
    try:
        t = _table(data, "power_by_technology")
    except (KeyError, AttributeError):
        t = pd.DataFrame(columns=["technology", "kind", "year", "online_mw", "co2_t"])
    piv = t.pivot_table(index="year", columns="technology", values="online_mw", aggfunc="sum").reindex(years).fillna(0.0)
    piv = piv.loc[:, piv.sum() > 0] if len(piv.columns) else piv
    bottom = np.zeros(len(years))
    cmap = mpl.colormaps["tab20"]
    kinds = dict(zip(t["technology"], t["kind"], strict=False))
    for i, k in enumerate(piv.columns):
        v = piv[k].to_numpy() / 1e3
        label = f"{k} ({'contracted' if kinds.get(k) == 'contracted' else 'on site'})"
        ax1.bar(years, v, bottom=bottom, width=0.75, label=label, color=TECH_COLORS.get(k, cmap(i % 20)), edgecolor="white", lw=0.4)
        bottom += v
    if not len(piv.columns):
        ax1.text(0.5, 0.5, "no power technologies online", transform=ax1.transAxes, ha="center", va="center", color="#555")
    ax1.set_ylabel("online (GW)")
    ax1.set_title("Power technologies online (on site and contracted)")
    h, lab = ax1.get_legend_handles_labels()
    if h:
        ax1.legend(h[::-1], lab[::-1], loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    co2 = t.groupby("year")["co2_t"].sum().reindex(years).fillna(0.0) / 1e6 if len(t) else pd.Series(0.0, index=years)
    ax2.bar(years, co2.to_numpy(), width=0.6, color="#555555")
    ax2.set_ylabel("CO2 (Mt/yr)")
    ax2.set_title("CO2 from on-site and contracted generation (grid power not counted)")
    _years_axis(ax2, years)
    for ax in (ax1, ax2):
        ax.grid(axis="y", alpha=0.3)
    return fig


# ---------------------------------------------------------------- builds and spending


def plot_builds(data, kind: str = "built") -> Figure:
    """Capacity by asset class per year, grouped bars: shells, interconnection and turbines in GW
    (top panel), transformers (HV and GSU) in GVA (bottom panel). `kind` is "built" (decided that year, online
    after its lead time) or "new_online" (came online that year)."""
    if kind not in ("built", "new_online"):
        raise ValueError(f"kind must be 'built' or 'new_online', got {kind!r}")
    cap = _table(data, "capacity")
    piv = cap.pivot_table(index="year", columns="asset", values=kind, aggfunc="sum").clip(lower=0)
    years = sorted(int(y) for y in (piv.index if len(piv) else _table(data, "compute")["year"]))
    piv = piv.reindex(years).fillna(0.0)
    fig = InlineFigure(figsize=(10, 7), layout="constrained")
    ax1, ax2 = fig.subplots(2, 1, sharex=True, height_ratios=[2, 1])
    mw_assets = sorted((a for a in piv.columns if a not in TRANSFORMER_ASSETS), key=lambda a: (asset(a).order, a)) or ["shell"]
    w = 0.8 / len(mw_assets)
    for i, a in enumerate(mw_assets):
        v = piv[a].to_numpy() / 1e3 if a in piv.columns else np.zeros(len(years))
        ax1.bar(
            np.array(years) + (i - (len(mw_assets) - 1) / 2) * w,
            v,
            width=w,
            color=asset(a).color,
            label=asset(a).label,
        )
    tx_assets = [a for a in TRANSFORMER_ASSETS if a in piv.columns] or ["transformer"]
    wt = 0.5 / len(tx_assets)
    for i, a in enumerate(tx_assets):
        tx = piv[a].to_numpy() / 1e3 if a in piv.columns else np.zeros(len(years))
        ax2.bar(np.array(years) + (i - (len(tx_assets) - 1) / 2) * wt, tx, width=wt, color=asset(a).color, label=asset(a).label)
    what = (
        "decided (ordered) per year — online after the asset's lead time"
        if kind == "built"
        else "coming online per year"
    )
    ax1.set_title(f"Builds by asset class: capacity {what}")
    ax1.set_ylabel("capacity (GW)")
    ax2.set_ylabel("transformers (GVA)")
    for ax in (ax1, ax2):
        ax.legend(loc="upper left", frameon=False)
        ax.grid(axis="y", alpha=0.3)
    _years_axis(ax2, years)
    return fig


def spending_by_category(costs: pd.DataFrame, col: str = "cost_usd", include_penalty: bool = False) -> tuple[pd.DataFrame, float]:
    """(year x category table of `col` in display order, total of the penalties). Penalties on
    unserved demand (model/registry.py `penalty`) are model prices, not spending: left out unless
    `include_penalty`. Categories that are zero in every year are dropped. Both spending charts
    (this module's and the HTML report's interactive one) read this table."""
    piv = (
        costs.pivot_table(index="year", columns="category", values=col, aggfunc="sum")
        .fillna(0.0)
        .clip(lower=0)
        .sort_index()
    )
    penalties = penalty_categories(piv.columns)
    penalty = float(piv[penalties].to_numpy().sum()) if penalties else 0.0
    cats = [k for k in ordered_categories(piv.columns, spending_only=not include_penalty) if piv[k].sum() > 0]
    return piv[cats], penalty


def plot_costs(data, ax=None, pv: bool = False, include_penalty: bool = False) -> Figure:
    """Spending by category per year (stacked bars, USD bn). Capex is annualised over the asset's
    life, as in the objective. The penalties on unserved demand are model prices, not spending,
    and are left out unless `include_penalty`; their total is noted on the chart. `pv` shows
    present values."""
    fig, ax = _figure(ax)
    piv, penalty = spending_by_category(_table(data, "costs"), "cost_pv_usd" if pv else "cost_usd", include_penalty)
    cats = list(piv.columns)
    years = piv.index.astype(int).to_numpy()
    bottom = np.zeros(len(years))
    for k in cats:
        v = piv[k].to_numpy() / 1e9
        ax.bar(
            years,
            v,
            bottom=bottom,
            width=0.75,
            label=cost_category(k).label,
            color=cost_category(k).color,
            edgecolor="white",
            lw=0.4,
        )
        bottom += v
    for x, t in zip(years, bottom, strict=False):
        if t > 0:
            ax.annotate(
                f"{t:,.0f}", (x, t), xytext=(0, 2), textcoords="offset points", ha="center", va="bottom", fontsize=8
            )
    dollars = "present value at the first year" if pv else "year-y USD"
    ax.set_ylabel(f"USD bn ({dollars})")
    _years_axis(ax, years)
    ax.set_title("Spending by category (capex annualised over asset life)")
    if penalty > 0 and not include_penalty:
        ax.text(
            0.01,
            0.98,
            f"not shown: penalties on unserved demand, {money(penalty)} in total",
            transform=ax.transAxes,
            ha="left",
            va="top",
            fontsize=9,
            color="#555",
        )
    h, lab = ax.get_legend_handles_labels()
    ax.legend(h[::-1], lab[::-1], loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=9)
    ax.grid(axis="y", alpha=0.3)
    return fig


# ---------------------------------------------------------------- bottlenecks


def _short_where(w, n: int = 13) -> str:
    """Where a constraint binds, for a heat-map cell: "asset @ site" on two lines, each cut to n."""
    if not isinstance(w, str) or not w:
        return ""
    return "\n".join(x if len(x) <= n else x[: n - 1] + "…" for x in w.split(" @ "))


def unit_norms(tl: pd.DataFrame) -> dict[str, LogNorm]:
    """One log colour scale per unit of the bottleneck timeline `tl` (from the binding values of
    that unit that hold, ``realised_usd_per_unit``), so a $/MW row and a $/wafer row are each
    coloured on their own scale."""
    value = holds_value(tl)
    pos = tl.assign(_v=value)[tl["binding"].astype(bool) & (value > 0)]
    out: dict[str, LogNorm] = {}
    for unit in tl["unit"].dropna().unique():
        v = pos.loc[pos["unit"] == unit, "_v"].astype(float)
        hi = max(float(v.max()), 1.0) if len(v) else 10.0
        lo = min(max(float(v.min()), 1.0), hi / 10) if len(v) else 1.0  # the unit's top value is the darkest
        out[str(unit)] = LogNorm(vmin=lo, vmax=hi, clip=True)
    return out


def plot_bottlenecks(data, ax=None) -> Figure:
    """Bottleneck heat map: constraint family × year, colour = the value of one more unit that
    holds (USD per unit, log scale; results/realised.py). Each binding cell shows that value and
    where the most valuable member binds; "degenerate" cells bind but no member's shadow price
    holds for one unit (hatched, uncoloured at $0); grey cells are slack, blank ones have no
    such constraint that year."""
    sp = _table(data, "shadow_prices")
    tl = bottleneck_timeline(sp)
    tl.loc[~tl["binding"].astype(bool), "realised_usd_per_unit"] = 0.0  # slack: no colour, even if a dual is tiny
    m = timeline_matrix(tl)
    if m.empty:
        fig, ax = _figure(ax, (10, 3))
        ax.text(
            0.5,
            0.5,
            "no supply-chain or power constraints in this run",
            ha="center",
            va="center",
            transform=ax.transAxes,
        )
        ax.set_axis_off()
        ax.set_title("Bottleneck timeline")
        return fig
    years = sorted(int(y) for y in m.columns)
    m = m.reindex(columns=years)
    present = tl.pivot_table(index="family", columns="year", values="n_members", aggfunc="sum").reindex(
        index=m.index, columns=years
    )
    where = tl.pivot_table(index="family", columns="year", values="where", aggfunc="first").reindex(
        index=m.index, columns=years
    )
    flags = tl.assign(_b=tl["binding"].astype(bool).astype(float), _d=tl["degenerate"].astype(bool).astype(float))
    bound = flags.pivot_table(index="family", columns="year", values="_b", aggfunc="max").reindex(index=m.index, columns=years)
    degenerate = flags.pivot_table(index="family", columns="year", values="_d", aggfunc="max").reindex(index=m.index, columns=years)
    info = tl.drop_duplicates("family").set_index("family")
    fig, ax = _figure(ax, (13, 0.62 * len(m) + 2.2))
    vals = m.to_numpy(dtype=float)
    ax.imshow(
        np.where(present.notna().to_numpy(), 1.0, np.nan), cmap=mpl.colors.ListedColormap(["#EEEEEE"]), aspect="auto"
    )
    cmap = mpl.colormaps["YlOrRd"]
    norms = unit_norms(tl)
    rgba = np.zeros((*vals.shape, 4))
    for i, fam in enumerate(m.index):
        norm = norms.get(str(info.at[fam, "unit"]), LogNorm(vmin=1.0, vmax=10.0, clip=True))
        for j in range(vals.shape[1]):
            if vals[i, j] > 0:
                rgba[i, j] = cmap(norm(vals[i, j]))
    ax.imshow(rgba, aspect="auto")
    for i, fam in enumerate(m.index):
        norm = norms.get(str(info.at[fam, "unit"]), LogNorm(vmin=1.0, vmax=10.0, clip=True))
        for j in range(vals.shape[1]):
            v = vals[i, j]
            if v > 0:
                c = cmap(norm(v))
                lum = 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2]
                txt = f"{money(v) if v >= 1 else '< $1'}\n{_short_where(where.iat[i, j])}".strip()
                ax.text(
                    j,
                    i,
                    txt,
                    ha="center",
                    va="center",
                    fontsize=6.5,
                    color="white" if lum < 0.5 else "black",
                    linespacing=1.05,
                )
            elif bound.iat[i, j] == 1.0:  # binds, but $0 holds (degenerate) or nothing was measured
                what = "$0 holds" if degenerate.iat[i, j] == 1.0 else "not checked"
                ax.add_patch(mpl.patches.Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, hatch="///", edgecolor="#BBBBBB", lw=0))
                ax.text(j, i, f"{what}\n{_short_where(where.iat[i, j])}".strip(), ha="center", va="center", fontsize=6.5, color="#555555")
            elif pd.notna(present.iat[i, j]):
                ax.text(j, i, "slack", ha="center", va="center", fontsize=7, color="#999999")
    ax.set_xticks(range(len(years)), [str(y) for y in years])
    ax.set_yticks(range(len(m)), [f"{info.at[f, 'label']}  ($/{info.at[f, 'unit']})" for f in m.index])
    ax.set_xticks(np.arange(-0.5, len(years)), minor=True)
    ax.set_yticks(np.arange(-0.5, len(m)), minor=True)
    ax.grid(which="minor", color="white", lw=1.5)
    ax.tick_params(which="minor", length=0)
    ax.set_xlabel("year")
    ax.set_title("Bottleneck timeline: value of one more unit of each constraint that holds (ranging, one-unit re-solves)\n"
                 "colour: log scale within each unit (rows in the same unit share a scale), year-y USD")
    fig.legend(
        handles=[
            Patch(facecolor="#EEEEEE", label="slack (not binding)"),
            Patch(facecolor="#EEEEEE", edgecolor="#BBBBBB", hatch="///", label="binding, but no shadow price holds (degenerate)"),
            Patch(facecolor="white", edgecolor="#ccc", label="no such constraint that year"),
        ],
        loc="outside lower left",
        ncols=3,
        frameon=False,
        fontsize=8,
    )
    return fig


# ---------------------------------------------------------------- all of them

FIGURES: dict[str, Callable[..., Figure]] = {
    "compute_by_generation": plot_compute,
    "unmet_demand": plot_unmet,
    "power_by_source": plot_power_by_source,
    "power_by_state": plot_power_by_state,
    "power_by_technology": plot_power_by_technology,
    "builds_by_asset": plot_builds,
    "spending_by_category": plot_costs,
    "bottleneck_heatmap": plot_bottlenecks,
}
"""Chart name (also the PNG's file name) -> function."""


def all_figures(data) -> dict[str, Figure]:
    """Every chart of FIGURES for one run."""
    return {name: f(data) for name, f in FIGURES.items()}


def save_figures(
    results, out_dir: str | Path, sites: pd.DataFrame | None = None, year: int | None = None, dpi: int = 150
) -> dict[str, Path]:
    """Write every chart as `<out_dir>/<name>.png`, plus the site map for `year` (default: the last
    year) when a sites table (site, name, region, latitude, longitude) is given or the results
    carry one (`results.sites`). Returns name -> path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    figs = all_figures(results)
    if sites is None:
        sites = getattr(results, "sites", None) if not isinstance(results, Mapping) else results.get("sites")
    if sites is not None and len(sites):
        from dcplan.reports.maps import plot_site_map

        figs["site_map"] = plot_site_map(sites, _table(results, "power"), year=year)
    paths = {}
    for name, fig in figs.items():
        p = out / f"{name}.png"
        fig.savefig(p, dpi=dpi)
        paths[name] = p
    return paths
