"""One self-contained HTML report of a results folder: `write_report(results_dir)`.

The page needs no network: charts are base64 PNGs, the interactive charts carry plotly.js
inline, and the CSS uses system fonts. Sections: summary, bottleneck timeline (heat map and
table), top binding constraints per year, interactive charts, static charts, the site map
(when the folder has `sites.parquet`), and the main tables.
"""

from __future__ import annotations

import base64
import html
import io
from datetime import UTC, datetime
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.colors import LogNorm, to_hex

from dcplan.results.bottlenecks import bottleneck_timeline
from dcplan.results.realised import DEGENERATE_SHARE, holds_value
from dcplan.reports.load import LoadedResults, read_results
from dcplan.model.registry import FAMILIES, asset, cost_category, is_penalty, ordered_categories
from dcplan.scenario.schema import TRANSFORMER_ASSETS
from dcplan.reports.plots import all_figures, generation_order, money, spending_by_category, unit_norms

CSS = """
:root { --ink:#1f2933; --muted:#616e7c; --line:#d9e2ec; --bg:#f5f7fa; --accent:#2f5f98; --bad:#c44e52; }
* { box-sizing: border-box; }
body { margin:0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       color:var(--ink); background:var(--bg); line-height:1.45; font-size:15px; }
header { background:#102a43; color:#fff; padding:22px 32px; }
header h1 { margin:0 0 4px; font-size:24px; font-weight:600; }
header p { margin:0; color:#bcccdc; font-size:13px; }
nav { position:sticky; top:0; z-index:10; background:#fff; border-bottom:1px solid var(--line); padding:8px 32px; }
nav a { color:var(--accent); text-decoration:none; margin-right:18px; font-size:14px; white-space:nowrap; }
main { max-width:1280px; margin:0 auto; padding:8px 32px 48px; }
section { background:#fff; border:1px solid var(--line); border-radius:8px; padding:18px 22px; margin:20px 0; }
h2 { font-size:19px; margin:0 0 12px; font-weight:600; }
h3 { font-size:15px; margin:18px 0 8px; color:var(--muted); font-weight:600; }
p.note { color:var(--muted); font-size:13px; margin:6px 0 10px; }
.cards { display:grid; grid-template-columns:repeat(auto-fit, minmax(190px, 1fr)); gap:12px; margin:8px 0 4px; }
.card { background:var(--bg); border-radius:6px; padding:12px 14px; }
.card .v { font-size:22px; font-weight:600; }
.card .k { font-size:12px; color:var(--muted); text-transform:uppercase; letter-spacing:.04em; }
.card.bad .v { color:var(--bad); }
.card .v.small { font-size:15px; }
.card .s { font-size:12px; color:var(--muted); margin-top:2px; }
table { border-collapse:collapse; font-size:13px; margin:6px 0 10px; font-variant-numeric:tabular-nums; }
th, td { padding:4px 9px; border-bottom:1px solid var(--line); text-align:right; white-space:nowrap; }
th { background:var(--bg); font-weight:600; }
td:first-child, th:first-child { text-align:left; }
td.l, th.l { text-align:left; }
tr:hover td { background:#f0f4f8; }
.scroll { overflow-x:auto; }
table.timeline { width:100%; table-layout:fixed; }
table.timeline th:first-child { width:250px; }
table.timeline td { text-align:center; font-size:11.5px; line-height:1.2; border:1px solid #fff; white-space:normal;
                    overflow-wrap:anywhere; padding:4px 3px; }
table.timeline td:first-child { text-align:right; padding-right:8px; }
table.timeline small { font-size:10px; }
table.timeline td.slack { color:#9aa5b1; background:#f0f0f0; }
table.timeline td.none { background:#fff; }
table.timeline td.degen { color:#555; background:repeating-linear-gradient(45deg,#f4f4f4,#f4f4f4 4px,#e2e2e2 4px,#e2e2e2 6px); }
img.chart { width:100%; max-width:1050px; height:auto; display:block; margin:8px auto 18px; border:1px solid var(--line); border-radius:4px; }
.plotly-chart { width:100%; max-width:1100px; margin:0 auto 16px; min-height:480px; }
details summary { cursor:pointer; color:var(--accent); margin:6px 0; }
footer { color:var(--muted); font-size:12px; text-align:center; padding:18px; }
"""

SECTIONS = (
    ("summary", "Summary"),
    ("bottlenecks", "Bottlenecks"),
    ("binding", "Top binding"),
    ("interactive", "Interactive"),
    ("charts", "Charts"),
    ("map", "Map"),
    ("network", "Network"),
    ("tables", "Tables"),
    ("run", "Run record"),
)


# ---------------------------------------------------------------- small helpers


def _e(x) -> str:
    return html.escape(str(x))


def _img(fig, alt: str, dpi: int = 110) -> str:
    """A matplotlib figure as an inline base64 PNG <img>."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'<img class="chart" alt="{_e(alt)}" src="data:image/png;base64,{data}">'


def _table(df: pd.DataFrame, left: tuple[str, ...] = ()) -> str:
    """A DataFrame of already-formatted strings as an HTML table (escaped)."""
    head = "".join(f'<th class="{"l" if c in left else ""}">{_e(c)}</th>' for c in df.columns)
    rows = []
    for r in df.itertuples(index=False):
        rows.append(
            "<tr>"
            + "".join(f'<td class="{"l" if c in left else ""}">{_e(v)}</td>' for c, v in zip(df.columns, r, strict=False))
            + "</tr>"
        )
    return f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>'


def _num(v: float, d: int = 2) -> str:
    """v with d decimals, never "-0.00"."""
    return f"{round(float(v), d) + 0.0:,.{d}f}"


def _m(v: float, d: int = 2) -> str:
    return _num(v / 1e6, d)


def _pick_year(years: list[int], want: int = 2030) -> int:
    return want if want in years else years[len(years) // 2]


# ---------------------------------------------------------------- sections


def _summary(res: LoadedResults) -> str:
    comp = res.compute.sort_values("year")
    years = [int(y) for y in comp["year"]]
    last, mid = years[-1], _pick_year(years)
    c = comp.set_index("year")
    power = res.power.groupby("year")[["it_mw", "facility_mw", "grid_mw", "gas_mw"]].sum()
    penalty = res.costs["category"].map(is_penalty).astype(bool)
    spend = spending_by_category(res.costs)[0].sum(axis=1)
    unmet_last = float(c.at[last, "unmet_h100e"])
    top = res.binding.assign(value_holds=holds_value(res.binding)).sort_values("value_holds", ascending=False)
    top_last = top[top["year"] == last].head(1)
    top_txt = f"{top_last.iloc[0]['label']} ({top_last.iloc[0]['where']})" if len(top_last) else "none"
    penalty_pv = float(res.costs.loc[penalty, "cost_pv_usd"].sum())
    cards = [
        (
            "plan cost (PV)",
            money(res.objective_usd - penalty_pv),
            False,
            f"unserved demand valued at {money(penalty_pv)} beside it" if penalty_pv > 0 else "no demand unserved",
        ),
        (
            f"compute online {mid}",
            f"{_m(c.at[mid, 'online_h100e'], 1)} M H100e",
            False,
            f"{c.at[mid, 'online_flops_per_s'] / 1e18:,.0f} EFLOP/s",
        ),
        (
            f"compute online {last}",
            f"{_m(c.at[last, 'online_h100e'], 1)} M H100e",
            False,
            f"{c.at[last, 'online_flops_per_s'] / 1e18:,.0f} EFLOP/s",
        ),
        (
            f"unmet demand {last}",
            f"{_m(unmet_last, 1)} M H100e",
            unmet_last > 0,
            f"{unmet_last / c.at[last, 'demand_h100e']:.0%} of demand" if c.at[last, "demand_h100e"] else "",
        ),
        (
            f"peak facility load {last}",
            f"{power.at[last, 'facility_mw'] / 1e3:,.1f} GW" if last in power.index else "–",
            False,
            f"grid {power.at[last, 'grid_mw'] / 1e3:,.1f} GW, on-site {power.at[last, 'gas_mw'] / 1e3:,.1f} GW"
            if last in power.index
            else "",
        ),
        (
            f"top binding {last}",
            top_txt,
            False,
            f"{money(top_last.iloc[0]['value_holds'])} per {top_last.iloc[0]['unit']}"
            if len(top_last)
            else "",
        ),
    ]
    cards_html = "".join(
        f'<div class="card{" bad" if bad else ""}"><div class="k">{_e(k)}</div><div class="v{" small" if len(v) > 16 else ""}">{_e(v)}</div>'
        f'<div class="s">{_e(sub)}</div></div>'
        for k, v, bad, sub in cards
    )
    rows = pd.DataFrame(
        {
            "year": [str(y) for y in years],
            "demand (M H100e)": [_m(c.at[y, "demand_h100e"]) for y in years],
            "online (M H100e)": [_m(c.at[y, "online_h100e"]) for y in years],
            "unmet (M H100e)": [_m(c.at[y, "unmet_h100e"]) for y in years],
            "unmet share": [
                f"{c.at[y, 'unmet_h100e'] / c.at[y, 'demand_h100e']:.0%}" if c.at[y, "demand_h100e"] else "–"
                for y in years
            ],
            "EFLOP/s (dense BF16)": [f"{c.at[y, 'online_flops_per_s'] / 1e18:,.0f}" for y in years],
            "IT load (GW)": [f"{power.at[y, 'it_mw'] / 1e3:,.1f}" if y in power.index else "–" for y in years],
            "grid / on-site (GW)": [
                f"{power.at[y, 'grid_mw'] / 1e3:,.1f} / {power.at[y, 'gas_mw'] / 1e3:,.1f}" if y in power.index else "–"
                for y in years
            ],
            "spending ($bn)": [_num(spend.get(y, 0.0) / 1e9, 1) for y in years],
        }
    )
    status = _e(res.status)
    notes = "".join(f'<p class="note">Note: {_e(n)}.</p>' for n in res.notes)
    scope = res.summary.get("scope", "")
    if scope:
        notes = f'<p class="scope">Scope: {_e(scope)}</p>' + notes
    return (
        f'<section id="summary"><h2>Summary</h2><p>Scenario <b>{_e(res.scenario)}</b>, solver status <b>{status}</b>, '
        f"horizon {years[0]}–{last}. Total cost is the present value at {years[0]} of annualised capex, O&amp;M, energy "
        f'and the penalties on unserved demand (compute and training runs); spending below leaves them out.</p>{notes}<div class="cards">{cards_html}</div>'
        f"<h3>Compute, power and spending by year</h3>{_table(rows)}</section>"
    )


def _timeline_table(tl: pd.DataFrame) -> str:
    """Family × year table: value of one more unit and where, coloured like the heat map."""
    if tl.empty:
        return '<p class="note">No supply-chain or power constraints in this run.</p>'
    years = sorted(int(y) for y in tl["year"].unique())
    norms = unit_norms(tl)  # as the heat map: each unit on its own log scale
    cmap = mpl.colormaps["YlOrRd"]
    head = '<th class="l">constraint (USD per unit)</th>' + "".join(f"<th>{y}</th>" for y in years)
    body = []
    for fam, g in tl.groupby("family", sort=False):
        g = g.set_index("year")
        label, unit = g["label"].iloc[0], g["unit"].iloc[0]
        norm = norms.get(str(unit), LogNorm(vmin=1.0, vmax=10.0, clip=True))
        spec = FAMILIES.get(str(fam))
        mark = f' style="border-left:6px solid {spec.color}"' if spec is not None else ""
        eq = f" ({spec.equation})" if spec is not None else ""
        cells = [f'<td class="l"{mark} title="{_e(fam)}{_e(eq)}">{_e(label)} ($/{_e(unit)})</td>']
        for y in years:
            if y not in g.index:
                cells.append('<td class="none" title="no such constraint this year"></td>')
                continue
            r = g.loc[y]
            v = float(r["realised_usd_per_unit"]) + 0.0
            tip = _cell_tip(r)
            dual = float(r["shadow_price_usd_per_unit"])
            if r["binding"] and v <= 0:  # binds, but $0 holds (degenerate) or nothing was measured
                where = "<br>".join(_e(w).replace("_", "_<wbr>") for w in str(r["where"]).split(" @ "))
                what = "$0 holds" if bool(r["degenerate"]) else "not checked"
                cells.append(f'<td class="degen" title="{_e(tip)}">{what}<br><small>dual {money(dual)}<br>{where}</small></td>')
                continue
            if r["binding"] and v > 0:
                rgba = cmap(norm(v))
                ink = "#fff" if 0.299 * rgba[0] + 0.587 * rgba[1] + 0.114 * rgba[2] < 0.5 else "#000"
                val = money(v) if v >= 1 else "&lt; $1"
                where = "<br>".join(_e(w).replace("_", "_<wbr>") for w in str(r["where"]).split(" @ "))
                dual_txt = f"<br><small>dual {money(dual)}</small>" if bool(r["degenerate"]) else ""
                cells.append(
                    f'<td style="background:{to_hex(rgba)};color:{ink}" title="{_e(tip)}">{val}{dual_txt}<br><small>{where}</small></td>'
                )
            else:
                cells.append(f'<td class="slack" title="{_e(tip)}">slack</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f'<div class="scroll"><table class="timeline"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>'


def _cell_tip(r) -> str:
    """Hover text of a timeline cell: members binding, degenerate, unchecked; the highest dual."""
    tip = f"{int(r['n_binding'])} of {int(r['n_members'])} binding"
    if "n_degenerate" in r and int(r["n_degenerate"]):
        tip += f"; {int(r['n_degenerate'])} degenerate (relaxing one by a unit realises under half its shadow price)"
    if "n_unchecked" in r and int(r["n_unchecked"]):
        tip += f"; {int(r['n_unchecked'])} with a higher shadow price not re-solved (the value shown is the best found)"
    if "max_shadow_price_usd_per_unit" in r and r["binding"]:
        tip += f"; highest shadow price {money(float(r['max_shadow_price_usd_per_unit']))}"
    if "holds_for_units" in r and pd.notna(r["holds_for_units"]) and r["binding"]:
        tip += f"; HiGHS ranging: the shown member's shadow price surely holds for {float(r['holds_for_units']):,.4g} {r['unit']}"
    return tip


def _bottlenecks(res: LoadedResults, heatmap_img: str) -> str:
    tl = bottleneck_timeline(res.shadow_prices)
    return (
        '<section id="bottlenecks"><h2>Bottleneck timeline</h2><p class="note">For each constraint family and year: the value of '
        "relaxing it by one unit that holds (year-y USD per planner unit: what relaxing that one limit by one unit realises, "
        "from HiGHS ranging or a one-unit re-solve), at the member where that is highest, and where that member is. A shadow "
        "price (dual) can overstate it at a degenerate optimum, often to $0 (e.g. a site with no load yet, whose shell, grid "
        f"and transformer limits are all tight at zero); a cell shows the dual beside the value when the value is under "
        f"{DEGENERATE_SHARE:.0%} of it (degenerate), hatched grey when $0 holds. Grey cells are slack; blank ones have no "
        "such constraint that year.</p>"
        f"{heatmap_img}{_timeline_table(tl)}</section>"
    )


def _binding(res: LoadedResults, per_year: int = 5) -> str:
    b = res.binding
    if b.empty:
        return '<section id="binding"><h2>Top binding constraints per year</h2><p>No global or regional constraint binds in any year.</p></section>'
    b = b.assign(value_holds=holds_value(b)).sort_values(["year", "value_holds"], ascending=[True, False])
    rows = []
    for y, g in b.groupby("year"):
        for i, r in enumerate(g.head(per_year).itertuples()):
            holds = getattr(r, "holds_for_units", float("nan"))
            rows.append(
                {
                    "year": str(int(y)) if i == 0 else "",
                    "constraint": r.family,
                    "label": r.label,
                    "where": r.where,
                    "value of one more unit (holds)": f"{money(r.value_holds)} / {r.unit}",
                    "shadow price": f"{money(r.shadow_price_usd_per_unit)} / {r.unit}",
                    "ranging: price surely holds for": "–" if pd.isna(holds) else f"{holds:,.4g} {r.unit}",
                    "limit": f"{r.rhs:,.0f} {r.unit}",
                }
            )
    df = pd.DataFrame(rows)
    return (
        f'<section id="binding"><h2>Top binding constraints per year</h2><p class="note">Global and regional constraints, up to '
        f"{per_year} per year, highest value of one more unit that holds first (site-level limits are in the timeline above).</p>"
        f"{_table(df, left=('constraint', 'label', 'where'))}</section>"
    )


def _plotly_charts(res: LoadedResults) -> str:
    """Interactive compute-by-generation and spending charts (plotly.js is inlined once in <head>)."""
    import plotly.graph_objects as go

    comp = res.compute.sort_values("year")
    years = [int(y) for y in comp["year"]]
    gp = (
        res.gpus.pivot_table(index="year", columns="generation", values="in_use_h100e", aggfunc="sum")
        .reindex(years)
        .fillna(0.0)
    )
    f1 = go.Figure()
    cmap = mpl.colormaps["viridis"]
    order = [g for g in generation_order(res.gpus) if g in gp.columns]
    shades = np.linspace(0.05, 0.9, max(len(order), 1))
    for i, g in enumerate(order):
        r, gr, b, _ = cmap(shades[i])
        f1.add_trace(
            go.Scatter(
                x=years,
                y=(gp[g] / 1e6).round(3),
                name=str(g).upper().replace("_", " "),
                stackgroup="gpu",
                mode="lines",
                line={"width": 0.5, "color": to_hex((r, gr, b))},
                fillcolor=f"rgba({r * 255:.0f},{gr * 255:.0f},{b * 255:.0f},0.85)",
                hovertemplate="%{y:,.2f} M H100e",
            )
        )
    f1.add_trace(
        go.Scatter(
            x=years,
            y=(comp["demand_h100e"] / 1e6).round(3),
            name="demand",
            mode="lines+markers",
            line={"color": "#222", "width": 2.5},
            hovertemplate="%{y:,.2f} M H100e",
        )
    )
    f1.add_trace(
        go.Scatter(
            x=years,
            y=(comp["unmet_h100e"] / 1e6).round(3),
            name="unmet",
            mode="lines",
            visible="legendonly",
            line={"color": "#c44e52", "dash": "dot"},
            hovertemplate="%{y:,.2f} M H100e",
        )
    )
    f1.update_layout(
        title="Compute online by GPU generation vs demand",
        xaxis_title="year",
        yaxis_title="million H100e",
        hovermode="x unified",
        template="plotly_white",
        margin={"l": 60, "r": 20, "t": 60, "b": 50},
        height=480,
    )
    f1.update_xaxes(dtick=1)

    f2 = spending_figure(res.costs, years)
    cfg = {"displaylogo": False, "responsive": True, "toImageButtonOptions": {"format": "png"}}
    parts = "".join(
        '<div class="plotly-chart">'
        + f.to_html(full_html=False, include_plotlyjs=False, config=cfg, div_id=f"plotly-{i}")
        + "</div>"
        for i, f in enumerate((f1, f2))
    )
    return (
        '<section id="interactive"><h2>Interactive charts</h2><p class="note">Hover for values; click legend entries to hide or '
        f"show series.</p>{parts}</section>"
    )


def spending_figure(costs: pd.DataFrame, years: list[int]):
    """The interactive spending chart (a plotly Figure): one stacked bar per spending category
    (reports/plots.py spending_by_category: every category but the penalties)."""
    import plotly.graph_objects as go

    cp = spending_by_category(costs)[0].reindex(years).fillna(0.0)
    f2 = go.Figure()
    for k in cp.columns:
        f2.add_trace(
            go.Bar(
                x=years,
                y=(cp[k] / 1e9).round(3),
                name=cost_category(k).label,
                marker_color=cost_category(k).color,
                hovertemplate="$%{y:,.2f} bn",
            )
        )
    f2.update_layout(
        barmode="stack",
        title="Spending by category (year-y USD bn, capex annualised; penalties excluded)",
        xaxis_title="year",
        yaxis_title="USD bn",
        hovermode="x unified",
        template="plotly_white",
        margin={"l": 60, "r": 20, "t": 60, "b": 50},
        height=480,
    )
    f2.update_xaxes(dtick=1)
    return f2


def _charts(imgs: dict[str, str]) -> str:
    order = (
        "compute_by_generation",
        "unmet_demand",
        "power_by_source",
        "power_by_state",
        "power_by_technology",
        "builds_by_asset",
        "spending_by_category",
    )
    return '<section id="charts"><h2>Charts</h2>' + "".join(imgs[k] for k in order if k in imgs) + "</section>"


def _map_superclusters(res: LoadedResults, found: bool) -> dict[str, list[str]] | None:
    """The superclusters to outline: hand-named ones, and found ones too when asked."""
    if not res.superclusters:
        return None
    sc = res.tables.get("superclusters")
    if found or sc is None or "origin" not in sc.columns:
        return res.superclusters
    named = set(sc.loc[sc["origin"] == "named", "supercluster"])
    return {k: v for k, v in res.superclusters.items() if k in named} or None


def _map(res: LoadedResults, found_superclusters: bool = False) -> str:
    if res.sites is None:
        return (
            '<section id="map"><h2>Map</h2><p class="note">No map: this results folder has no sites.parquet with site '
            "coordinates (site, name, region, latitude, longitude).</p></section>"
        )
    from dcplan.reports.maps import plot_site_map

    years = sorted(int(y) for y in res.power["year"].unique())
    show = sorted({_pick_year(years), years[-1]})
    clusters = _map_superclusters(res, found_superclusters)
    imgs = "".join(
        _img(
            plot_site_map(res.sites, res.power, year=y, label_top=None, superclusters=clusters, fiber_links=res.fiber_links),
            f"site map {y}", dpi=100,
        )
        for y in show
    )
    which = "found and named" if found_superclusters else "named (found ones with `dcplan report --found-superclusters`)"
    extra = (f" {which.capitalize()} superclusters are outlined; fiber links drawn as lines." if clusters or res.fiber_links else "")
    return (
        f'<section id="map"><h2>Map</h2><p class="note">Sites sized by IT MW in use; hollow markers have nothing in use. '
        f"Shaded states hold at least one site in use.{extra}</p>{imgs}</section>"
    )


def _network(res: LoadedResults, top: int = 8) -> str:
    """Superclusters (potential and what the plan puts there), power moved between regions, and
    the training run across its supercluster, in the report's focus year."""
    t = res.tables
    parts = []
    years = sorted(int(y) for y in res.compute["year"])
    y = _pick_year(years)
    sp = t.get("supercluster_power")
    if sp is not None and not sp.empty:
        d = sp[sp["year"] == y].sort_values(["facility_mw", "supercluster"], ascending=[False, True])
        tr = t.get("training")
        hosts = set(tr.loc[tr["year"] == y, "supercluster"]) if tr is not None and len(tr) else set()
        d = d[(d.index.isin(d.head(top).index)) | d["supercluster"].isin(hosts)]  # the training run's host always shows
        parts.append(
            f"<h3>Superclusters in {y}: the {min(top, len(d))} with the most power in use"
            + (f", and {', '.join(sorted(hosts))} hosting the training run" if hosts else "") + "</h3>"
            + _table(pd.DataFrame({
                "supercluster": d["supercluster"], "origin": d["origin"], "sites": d["n_sites"].astype(int).astype(str),
                "states": d["regions"], "max RTT (ms)": [_num(v, 1) for v in d["max_rtt_ms"]],
                "power available (GW)": [_num(v / 1e3) for v in d["power_available_mw"]],
                "facility power in use (GW)": [_num(v / 1e3) for v in d["facility_mw"]],
                "in use (M H100e)": [_m(v) for v in d["in_use_h100e"]],
            }), left=("supercluster", "origin", "states"))
        )
    fl, ps = t.get("flows"), t.get("power_slices")
    if fl is not None and not fl.empty and ps is not None and not ps.empty:
        hours = ps.drop_duplicates("slice").set_index("slice")["hours"]
        f = fl[fl["year"] == y].assign(h=lambda x: x["slice"].map(hours).fillna(0.0))
        f = f.assign(mwh=f["flow_mw"] * f["h"])
        g = f.groupby(["from_region", "to_region"]).agg(avg=("mwh", "sum"), peak=("flow_mw", "max"), cap=("capacity_mw", "max"))
        g["avg"] /= max(float(hours.sum()), 1.0)
        g = g[g["peak"] > 1e-6].sort_values("avg", ascending=False)
        if not g.empty:
            parts.append(
                f"<h3>Power moved between regions in {y} (sent, before losses)</h3>"
                + _table(pd.DataFrame({
                    "from": [a for a, _ in g.index], "to": [b for _, b in g.index],
                    "average (MW)": [_num(v, 0) for v in g["avg"]], "peak slice (MW)": [_num(v, 0) for v in g["peak"]],
                    "capacity (MW)": [_num(v, 0) for v in g["cap"]],
                }), left=("from", "to"))
            )
    tr = t.get("training")
    if tr is not None and not tr.empty:
        from dcplan.results.tables import training_summary

        rows = [
            {
                "year": str(r.year), "supercluster": r.supercluster, "run (M H100e)": _m(r.run_h100e),
                "hosted, least slice (M H100e)": _m(r.hosted_h100e), "not hosted (M H100e)": _m(r.unmet_h100e),
                "power (GW)": _num(r.run_facility_mw / 1e3),
                "by state (M H100e)": ", ".join(f"{k} {_m(v)}" for k, v in r.by_state.items()),
            }
            for r in training_summary(tr).itertuples()
        ]
        parts.append("<h3>Training run across its supercluster</h3>" + _table(pd.DataFrame(rows), left=("supercluster", "by state (M H100e)")))
    if not parts:
        return ('<section id="network"><h2>Network</h2><p class="note">No network in this scenario (no fiber links, '
                "transmission corridors or training run).</p></section>")
    return ('<section id="network"><h2>Network</h2><p class="note">Superclusters: sites within the latency budget '
            "(docs/network.md); power available is an upper bound from site limits and regional headroom. "
            "The largest run a supercluster could host: <code>dcplan largest-run --host NAME --year Y</code>.</p>"
            + "".join(parts) + "</section>")


def _tables(res: LoadedResults) -> str:
    comp = res.compute.sort_values("year")
    years = [int(y) for y in comp["year"]]
    t_comp = pd.DataFrame(
        {
            "year": [str(y) for y in years],
            "demand (M H100e)": [_m(v) for v in comp["demand_h100e"]],
            "online (M H100e)": [_m(v) for v in comp["online_h100e"]],
            "installed (M H100e)": [_m(v) for v in comp["installed_h100e"]] if "installed_h100e" in comp else "–",
            "unmet (M H100e)": [_m(v) for v in comp["unmet_h100e"]],
            "GPUs in use (M)": [_m(v) for v in comp["online_gpus"]] if "online_gpus" in comp else "–",
            "EFLOP/s": [f"{v / 1e18:,.0f}" for v in comp["online_flops_per_s"]],
        }
    )
    costs = (
        res.costs.pivot_table(index="category", columns="year", values="cost_usd", aggfunc="sum")
        .reindex(columns=years)
        .fillna(0.0)
    )
    pv = res.costs.groupby("category")["cost_pv_usd"].sum()
    order = ordered_categories(costs.index)
    t_cost = pd.DataFrame(
        [
            [cost_category(k).label] + [_num(costs.at[k, y] / 1e9) for y in years] + [_num(pv.get(k, 0.0) / 1e9, 1)]
            for k in order
        ],
        columns=["category"] + [str(y) for y in years] + ["PV total"],
    )
    cap = (
        res.capacity.pivot_table(index="asset", columns="year", values="online", aggfunc="sum")
        .reindex(columns=years)
        .fillna(0.0)
    )
    t_cap = pd.DataFrame(
        [
            [asset(a).label, "GVA" if a in TRANSFORMER_ASSETS else "GW"]
            + [_num(cap.at[a, y] / 1e3, 1) for y in years]
            for a in sorted(cap.index, key=lambda a: (asset(a).order, a))
        ],
        columns=["asset", "unit"] + [str(y) for y in years],
    )
    b = res.binding.sort_values(["year", "shadow_price_usd_per_unit"], ascending=[True, False])
    t_bind = pd.DataFrame(
        {
            "year": b["year"].astype(int).astype(str),
            "constraint": b["family"],
            "where": b["where"].astype(str),
            "USD per unit": [f"{v:,.0f}" for v in b["shadow_price_usd_per_unit"]],
            "unit": b["unit"],
            "limit": [f"{v:,.0f}" for v in b["rhs"]],
        }
    )
    return (
        '<section id="tables"><h2>Tables</h2>'
        f"<h3>Compute by year</h3>{_table(t_comp)}"
        f"<h3>Costs by category (USD bn, year-y dollars; PV total at {years[0]})</h3>{_table(t_cost)}"
        f"<h3>Capacity in service by asset (GW; transformers GVA)</h3>{_table(t_cap, left=('unit',))}"
        f"<details><summary>All binding global and regional constraints ({len(t_bind)} rows)</summary>"
        f"{_table(t_bind, left=('constraint', 'where', 'unit'))}</details></section>"
    )


# ---------------------------------------------------------------- the page


def _run_record(res: LoadedResults) -> str:
    """What was run (run.json): command, start, scenario and bases, overrides by source, solver
    options, versions, phase times, and the hash of every input file."""
    rec = res.record
    head = '<section id="run"><h2>Run record</h2>'
    if not rec:
        return head + f'<p class="note">No run.json in {_e(res.path)} (written by an older dcplan): no record of this run.</p></section>'
    sc = rec.get("scenario", {})
    facts = [
        ("command", rec.get("command") or "–"), ("started", rec.get("started_at", "–")),
        ("scenario", f"{sc.get('name', '')} ({sc.get('folder') or 'in memory'})"),
        ("bases", " → ".join(sc.get("bases") or []) or "none"),
        ("versions", ", ".join(f"{k} {v}" for k, v in (rec.get("versions") or {}).items())),
        ("solver options", ", ".join(f"{k}={v}" for k, v in (rec.get("solver_options") or {}).items()) or "HiGHS defaults"),
        ("wall time", ", ".join(f"{k} {v:,.1f} s" for k, v in (rec.get("phase_seconds") or {}).items()) or "–"),
    ]
    out = [head, _table(pd.DataFrame(facts, columns=["", "value"]), left=("", "value"))]
    ovr = (rec.get("overrides") or {})
    rows = [{"source": src, "path": k, "value": str(v)} for src, d in (ovr.get("sources") or {}).items() for k, v in d.items()]
    resolved = ovr.get("resolved") or {}
    out.append(f"<h3>Overrides ({len(resolved)} after merging)</h3>")
    out.append(_table(pd.DataFrame(rows), left=("source", "path", "value")) if rows else '<p class="note">none given on the command line</p>')
    if resolved:
        out.append("<details><summary>every override, merged</summary>" + _table(
            pd.DataFrame([{"path": k, "value": str(v)} for k, v in resolved.items()]), left=("path", "value")) + "</details>")
    inputs = rec.get("inputs") or {}
    out.append(f"<details><summary>{len(inputs)} input files (SHA-256)</summary>" + _table(
        pd.DataFrame([{"file": k, "sha256": v[:16] + "…"} for k, v in inputs.items()], columns=["file", "sha256"]),
        left=("file", "sha256")) + "</details></section>")
    return "".join(out)


def render_report(res: LoadedResults, found_superclusters: bool = False) -> str:
    """The report page for loaded results, as one HTML string."""
    from plotly.offline import get_plotlyjs

    figs = all_figures(res)
    imgs = {k: _img(f, k.replace("_", " ")) for k, f in figs.items()}
    solver = res.solver
    stats = ", ".join(
        f"{k} {solver[k]}" for k in ("solve_seconds", "iterations", "rows", "columns", "nonzeros") if k in solver
    )
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    nav = "".join(f'<a href="#{k}">{v}</a>' for k, v in SECTIONS)
    body = "".join(
        [
            _summary(res),
            _bottlenecks(res, imgs["bottleneck_heatmap"]),
            _binding(res),
            _plotly_charts(res),
            _charts(imgs),
            _map(res, found_superclusters),
            _network(res),
            _tables(res),
            _run_record(res),
        ]
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>dcplan report: {_e(res.scenario)}</title><style>{CSS}</style>"
        f'<script type="text/javascript">{get_plotlyjs()}</script></head><body>'
        f"<header><h1>dcplan report: {_e(res.scenario)}</h1><p>{_e(res.path)} · status {_e(res.status)} · generated {when}</p></header>"
        f"<nav>{nav}</nav><main>{body}</main>"
        f"<footer>dcplan · solver: {_e(stats or 'n/a')}</footer></body></html>\n"
    )


def write_report(results_dir: str | Path, out_path: str | Path | None = None, found_superclusters: bool = False) -> Path:
    """Write the self-contained HTML report of a results folder (default `<results_dir>/report.html`).

    Raises `dcplan.reports.load.ResultsNotFound` when the folder holds no complete results."""
    res = read_results(results_dir)
    out = Path(out_path) if out_path is not None else Path(results_dir) / "report.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_report(res, found_superclusters), encoding="utf-8")
    return out
