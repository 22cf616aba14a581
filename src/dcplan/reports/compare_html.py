"""The comparison of several runs as one self-contained HTML page (see reports/compare.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd

from dcplan.reports.compare import Comparison
from dcplan.reports.html import CSS, _e, _img, _table
from dcplan.reports.plots import money

METRICS = (
    ("plan_spending_usd", "Plan spending (USD bn, year-y dollars)", 1e9),
    ("unserved_value_usd", "Unserved demand at its value (USD bn, not spending)", 1e9),
    ("online_h100e", "Compute online (M H100e)", 1e6),
    ("unmet_h100e", "Unmet demand (M H100e)", 1e6),
    ("facility_mw", "Facility power (GW)", 1e3),
    ("energy_mwh", "Energy (TWh)", 1e6),
)


def _signed(v: float, fmt) -> str:
    return "0" if abs(v) < 1e-9 else ("+" if v > 0 else "−") + fmt(abs(v))


def _key_table(c: Comparison) -> str:
    k = c.key_figures
    rows = []
    for r in k.itertuples():
        first = r.Index == 0
        rows.append({
            "run": r.run, "status": r.status,
            "plan cost (PV)": money(r.plan_cost_usd) + ("" if first else f"  ({_signed(r.plan_cost_usd_change, money)})"),
            "unserved demand value (PV)": money(r.unserved_value_usd)
            + ("" if first else f"  ({_signed(r.unserved_value_usd_change, money)})"),
            f"online {r.last_year} (M H100e)": f"{r.online_h100e_last_year / 1e6:,.2f}"
            + ("" if first else f"  ({_signed(r.online_h100e_last_year_change / 1e6, lambda x: f'{x:,.2f}')})"),
            f"unmet {r.last_year} (M H100e)": f"{r.unmet_h100e_last_year / 1e6:,.2f}"
            + ("" if first else f"  ({_signed(r.unmet_h100e_last_year_change / 1e6, lambda x: f'{x:,.2f}')})"),
            f"facility {r.last_year} (GW)": f"{r.facility_mw_last_year / 1e3:,.1f}",
            f"energy {r.last_year} (TWh)": f"{r.energy_mwh_last_year / 1e6:,.1f}",
        })
    return _table(pd.DataFrame(rows), left=("run", "status"))


def _by_year_tables(c: Comparison) -> str:
    out = []
    for metric, title, div in METRICS:
        d = c.by_year[c.by_year["metric"] == metric]
        if d.empty:
            continue
        v = d.pivot(index="run", columns="year", values="value").reindex(c.runs) / div
        ch = d.pivot(index="run", columns="year", values="change").reindex(c.runs[1:]) / div
        rows = [{"run": r, **{str(y): f"{x:,.2f}" for y, x in v.loc[r].items()}} for r in c.runs]
        rows += [{"run": f"{r} − {c.runs[0]}", **{str(y): _signed(x, lambda a: f"{a:,.2f}") for y, x in ch.loc[r].items()}}
                 for r in c.runs[1:]]
        out.append(f"<h3>{_e(title)}</h3>" + _table(pd.DataFrame(rows), left=("run",)))
    return "".join(out)


def _chart(c: Comparison) -> str:
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 3, figsize=(13, 6.5), constrained_layout=True)
    for ax, (metric, title, div) in zip(axes.flat, METRICS, strict=False):
        d = c.by_year[c.by_year["metric"] == metric]
        for r in c.runs:
            s = d[d["run"] == r]
            ax.plot(s["year"], s["value"] / div, marker="o", ms=3, label=r)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("year")
        ax.grid(alpha=0.3)
    axes.flat[0].legend(fontsize=8)
    img = _img(fig, "key figures by year, each run")
    plt.close(fig)
    return img


def _capacity(c: Comparison) -> str:
    cap = c.capacity
    if cap.empty:
        return "<p class='note'>no capacity in any run</p>"
    last = int(cap["year"].max())
    by_asset = cap[cap["year"] == last].groupby(["asset", "run"])[["online", "change"]].sum().reset_index()
    rows = []
    for a, g in by_asset.groupby("asset"):
        g = g.set_index("run").reindex(c.runs).fillna(0.0)
        rows.append({"asset": a, **{r: f"{g.at[r, 'online']:,.0f}" for r in c.runs},
                     **{f"{r} − {c.runs[0]}": _signed(g.at[r, "change"], lambda x: f"{x:,.0f}") for r in c.runs[1:]}})
    reg = cap[cap["year"] == last].groupby(["region", "run"])[["online", "change"]].sum().reset_index()
    rrows: list[dict] = []
    for reg_name, g in reg.groupby("region"):
        g = g.set_index("run").reindex(c.runs).fillna(0.0)
        if not (g["change"].abs() > 1e-6).any() and len(rrows) > 12:
            continue
        rrows.append({"region": reg_name, **{r: f"{g.at[r, 'online']:,.0f}" for r in c.runs},
                      **{f"{r} − {c.runs[0]}": _signed(g.at[r, "change"], lambda x: f"{x:,.0f}") for r in c.runs[1:]}})
    return (f"<h3>Online capacity by asset, {last} (MW; MVA for transformers)</h3>" + _table(pd.DataFrame(rows), left=("asset",))
            + f"<h3>Online capacity by region, {last} (all site assets, MW/MVA)</h3>" + _table(pd.DataFrame(rrows), left=("region",)))


def _costs(c: Comparison) -> str:
    k = c.costs
    rows = []
    for cat, g in k.groupby("category", sort=False):
        g = g.set_index("run").reindex(c.runs).fillna(0.0)
        rows.append({"category": cat + (" (penalty, not spending)" if bool(g["penalty"].iloc[0]) else ""),
                     **{r: money(g.at[r, "cost_pv_usd"]) for r in c.runs},
                     **{f"{r} − {c.runs[0]}": _signed(g.at[r, "change"], money) for r in c.runs[1:]}})
    return _table(pd.DataFrame(rows), left=("category",))


def _binding(c: Comparison) -> str:
    b = c.binding
    if b.empty:
        return "<p class='note'>no constraint binds in any run</p>"
    rows = []
    for (y, label), g in b.groupby(["year", "label"]):
        g = g.set_index("run")
        rows.append({"year": str(y), "constraint": label,
                     **{r: (money(g.at[r, "shadow_price_usd_per_unit"]) + f" / {g.at[r, 'unit']}") if r in g.index else "–"
                        for r in c.runs}})
    return _table(pd.DataFrame(rows), left=("constraint",))


def render_comparison(c: Comparison) -> str:
    """The page: key figures, by-year charts and tables, capacity, costs and binding families."""
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    srcs = "".join(f"<li><b>{_e(n)}</b>: {_e(s)}</li>" for n, s in zip(c.runs, c.sources, strict=False))
    sections = [
        ("key", "Key figures", f"<p class='note'>Reference: <b>{_e(c.runs[0])}</b>; (±) is each run's difference from it. "
                               f"Plan cost excludes the value of unserved demand, which is shown apart.</p><ul>{srcs}</ul>"
                               + _key_table(c)),
        ("years", "By year", _chart(c) + _by_year_tables(c)),
        ("capacity", "Capacity", _capacity(c)),
        ("costs", "Costs (PV)", _costs(c)),
        ("binding", "Binding constraints", "<p class='note'>Highest shadow price of each binding family per year "
                                           "(value of one more unit); – where it does not bind.</p>" + _binding(c)),
    ]
    nav = "".join(f'<a href="#{k}">{_e(t)}</a>' for k, t, _ in sections)
    body = "".join(f'<section id="{k}"><h2>{_e(t)}</h2>{html}</section>' for k, t, html in sections)
    title = "dcplan comparison: " + " vs ".join(c.runs)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body>"
        f"<header><h1>{_e(title)}</h1><p>{len(c.runs)} runs · generated {when}</p></header>"
        f"<nav>{nav}</nav><main>{body}</main><footer>dcplan compare</footer></body></html>\n"
    )
