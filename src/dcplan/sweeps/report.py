"""`dcplan sweep-report DIR`: one self-contained HTML page of a sweep, and its charts as PNGs.

Sections: summary (scenarios, statuses, objective spread), tornado charts (Spearman rank
correlation of each swept parameter with each headline KPI), fan charts (P10/P50/P90 of KPIs per
year), how often each constraint family binds per year, Morris mu*/sigma (Morris sweeps), the
best and worst scenarios, and failures with their reasons. Charts are matplotlib PNGs inlined as
base64 and written beside the page.
"""

from __future__ import annotations

import base64
import io
from datetime import UTC, datetime
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd

from dcplan.reports.html import CSS, _e, _table
from dcplan.sweeps.store import SweepData, load

HEADLINE = (
    ("objective_usd", -1, "total discounted cost (USD)"),
    ("plan_cost_usd", -1, "plan cost, without unserved demand (USD, PV)"),
    ("unserved_cost_usd", -1, "unserved demand at its value (USD, PV)"),
    ("online_h100e", None, "compute online in {year} (H100e)"),
    ("unmet_h100e", None, "unmet compute in {year} (H100e)"),
)
"""KPIs of the tornado charts: (kpi, year or None for the focus year, label)."""

FANS = (
    ("online_h100e", "compute online (million H100e)", 1e-6),
    ("unmet_h100e", "unmet compute (million H100e)", 1e-6),
    ("plan_cost_pv_usd", "plan cost paid by year, present value (USD bn)", 1e-9),
    ("energy_mwh", "energy (TWh)", 1e-6),
)
"""KPIs of the fan charts: (kpi, axis label, scale)."""


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    mpl.pyplot.close(fig)
    return buf.getvalue()


def _img(data: bytes, alt: str) -> str:
    return f'<img class="chart" alt="{_e(alt)}" src="data:image/png;base64,{base64.b64encode(data).decode("ascii")}">'


def focus_year(data: SweepData, want: int = 2030) -> int | None:
    """The year headline KPIs are read at: 2030 when in the horizon, else the last year."""
    years = sorted(int(y) for y in data.kpis["year"].unique() if y >= 0)
    if not years:
        return None
    return want if want in years else years[-1]


def scalar_kpis(data: SweepData, year: int | None) -> pd.DataFrame:
    """One row per optimal point, one column per headline KPI (with its label)."""
    k = data.kpis
    cols = {}
    for kpi, y, label in HEADLINE:
        yy = -1 if y == -1 else year
        sel = k[(k["kpi"] == kpi) & (k["item"] == "") & (k["year"] == yy)]
        if not sel.empty:
            cols[label.format(year=yy)] = sel.set_index("point")["value"]
    return pd.DataFrame(cols)


def rank_correlations(data: SweepData, kpis: pd.DataFrame) -> pd.DataFrame:
    """Spearman rank correlation of every swept parameter with every KPI column (NaN when either
    does not vary). Rows: parameters; columns: KPIs."""
    p = data.parameters.set_index("point")
    params = [c for c in data.paths if pd.to_numeric(p[c], errors="coerce").nunique() > 1]
    if not params or kpis.empty:
        return pd.DataFrame()
    x = p.loc[kpis.index, params].apply(pd.to_numeric, errors="coerce")
    out = {}
    for col in kpis.columns:
        y = kpis[col]
        if y.nunique() < 2:
            continue
        out[col] = {q: x[q].rank().corr(y.rank()) for q in params}
    return pd.DataFrame(out)


def tornado_figure(rho: pd.Series, title: str):
    """Horizontal bars of rank correlation, largest |rho| on top."""
    import matplotlib.pyplot as plt

    r = rho.dropna()
    r = r.reindex(r.abs().sort_values().index)
    fig, ax = plt.subplots(figsize=(8.5, 0.45 * len(r) + 1.4))
    ax.barh(range(len(r)), r.to_numpy(), color=["#c44e52" if v > 0 else "#4c72b0" for v in r])
    ax.set_yticks(range(len(r)), list(r.index), fontsize=8)
    ax.axvline(0, color="#333", lw=0.8)
    ax.set_xlim(-1, 1)
    ax.set_xlabel("Spearman rank correlation with the KPI")
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig


def fan_table(data: SweepData, kpi: str, item: str = "") -> pd.DataFrame:
    """P10/P50/P90 of a per-year KPI over the optimal scenarios: one row per year."""
    k = data.kpis
    sel = k[(k["kpi"] == kpi) & (k["item"] == item) & (k["year"] >= 0)]
    if sel.empty:
        return pd.DataFrame(columns=["year", "p10", "p50", "p90"])
    g = sel.groupby("year")["value"]
    return pd.DataFrame({"p10": g.quantile(0.1), "p50": g.quantile(0.5), "p90": g.quantile(0.9)}).reset_index()


def fan_figure(data: SweepData):
    """One panel per fan KPI: the P10-P90 band and the median over the years."""
    import matplotlib.pyplot as plt

    fans = [(kpi, label, s, fan_table(data, kpi)) for kpi, label, s in FANS]
    fans = [f for f in fans if not f[3].empty]
    if not fans:
        return None
    fig, axes = plt.subplots(1, len(fans), figsize=(4.2 * len(fans), 3.6), squeeze=False)
    for ax, (_kpi, label, s, t) in zip(axes[0], fans, strict=True):
        ax.fill_between(t["year"], t["p10"] * s, t["p90"] * s, color="#2f5f98", alpha=0.25, label="P10-P90")
        ax.plot(t["year"], t["p50"] * s, color="#2f5f98", lw=2, label="P50")
        ax.set_title(label, fontsize=10)
        ax.set_xlabel("year")
        ax.grid(alpha=0.3)
    axes[0][0].legend(fontsize=8)
    fig.tight_layout()
    return fig


def binding_frequency(data: SweepData) -> pd.DataFrame:
    """Share of optimal scenarios in which each constraint family binds, by year (families x years)."""
    k = data.kpis
    b = k[k["kpi"] == "binding"]
    if b.empty:
        return pd.DataFrame()
    return b.pivot_table(index="item", columns="year", values="value", aggfunc="mean").sort_index()


def binding_figure(freq: pd.DataFrame):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 0.38 * len(freq) + 1.6))
    im = ax.imshow(freq.to_numpy(), aspect="auto", cmap="Reds", vmin=0, vmax=1)
    ax.set_yticks(range(len(freq)), list(freq.index), fontsize=8)
    ax.set_xticks(range(len(freq.columns)), [str(c) for c in freq.columns], fontsize=8)
    for i in range(freq.shape[0]):
        for j in range(freq.shape[1]):
            v = freq.iat[i, j]
            if np.isfinite(v):
                ax.text(j, i, f"{v:.0%}", ha="center", va="center", fontsize=7, color="white" if v > 0.6 else "black")
    fig.colorbar(im, ax=ax, label="share of scenarios where the family binds")
    ax.set_title("How often each constraint family binds, by year", fontsize=10)
    fig.tight_layout()
    return fig


def morris_table(data: SweepData, kpis: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Morris mu*, mu, sigma per parameter for each headline KPI (empty unless sampler is morris)."""
    if data.meta.get("spec", {}).get("sampler") != "morris":
        return {}
    from dcplan.sweeps.samplers import morris_indices

    return {col: morris_indices(data.design, kpis[col]) for col in kpis.columns}


def morris_figure(mi: pd.DataFrame, title: str):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.6))
    ax.scatter(mi["mu_star"], mi["sigma"], color="#2f5f98")
    for r in mi.itertuples():
        ax.annotate(r.parameter, (r.mu_star, r.sigma), fontsize=7, xytext=(3, 3), textcoords="offset points")
    ax.set_xlabel("mu* (mean |elementary effect| over the whole range)")
    ax.set_ylabel("sigma (sd of elementary effects)")
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def _fmt(v) -> str:
    if isinstance(v, float | np.floating):
        v = float(v)
        if not np.isfinite(v):
            return ""
        a = abs(v)
        return f"{v:,.3g}" if a < 1e4 else f"{v:,.4g}" if a < 1e9 else f"{v / 1e9:,.2f} bn"
    return str(v)


def extremes(data: SweepData, kpis: pd.DataFrame, n: int = 5) -> list[tuple[str, pd.DataFrame]]:
    """The n scenarios with the lowest and highest value of each headline KPI, with their parameters."""
    p = data.parameters.set_index("point")
    out = []
    for col in kpis.columns[:1].tolist() + [c for c in kpis.columns[1:] if "unmet" in c]:
        s = kpis[col].dropna().sort_values()
        if s.empty:
            continue
        for label, idx in ((f"lowest {col}", s.index[:n]), (f"highest {col}", s.index[::-1][:n])):
            t = p.loc[idx, data.paths].copy()
            t.insert(0, col, s.loc[idx])
            t.insert(0, "point", idx)
            out.append((label, t.map(_fmt)))
    return out


# ----- the page -----------------------------------------------------------------------------------


def render_sweep_report(data: SweepData, png_dir: Path | None = None) -> str:
    """The report page of a loaded sweep (writes each chart as a PNG into `png_dir` too)."""
    mpl.use("Agg")
    pngs: dict[str, bytes] = {}
    year = focus_year(data)
    kpis = scalar_kpis(data, year)
    meta = data.meta
    par = data.parameters
    counts = par["status"].value_counts()
    sections = []

    cards = [("scenarios", f"{len(par):,}"), ("optimal", f"{counts.get('optimal', 0):,}")]
    cards += [(k, f"{v:,}") for k, v in counts.items() if k != "optimal"]
    obj = par.loc[par["status"] == "optimal", "objective_usd"]
    if len(obj):
        q = obj.quantile([0.1, 0.5, 0.9]) / 1e9
        cards.append(("total cost P10 / P50 / P90", f"{q.iloc[0]:,.1f} / {q.iloc[1]:,.1f} / {q.iloc[2]:,.1f} bn"))
    spec = meta.get("spec", {})
    cards_html = "".join(f'<div class="card"><div class="k">{_e(k)}</div><div class="v small">{_e(v)}</div></div>' for k, v in cards)
    swept = pd.DataFrame({"parameter": data.paths,
                          "how": [_describe(spec, p) for p in data.paths]})
    sections.append(
        f'<section id="summary"><h2>Summary</h2><div class="cards">{cards_html}</div>'
        f'<p class="note">sampler {_e(spec.get("sampler"))}, seed {_e(spec.get("seed"))}, base {_e(meta.get("base"))} '
        f'(data {_e(meta.get("base_digest"))}); headline year {year}</p>{_table(swept, left=("parameter", "how"))}</section>'
    )

    rho = rank_correlations(data, kpis)
    if not rho.empty:
        imgs = []
        for i, col in enumerate(rho.columns):
            pngs[f"tornado_{i + 1}"] = _png(tornado_figure(rho[col], col))
            imgs.append(_img(pngs[f"tornado_{i + 1}"], f"tornado: {col}"))
        t = rho.copy()
        t.insert(0, "parameter", t.index)
        sections.append(
            '<section id="tornado"><h2>What moves each KPI (tornado)</h2><p class="note">Spearman rank correlation '
            "between each swept parameter and the KPI over the optimal scenarios: +1, the KPI rises with the "
            f"parameter; 0, no monotone effect.</p>{''.join(imgs)}{_table(t.map(_fmt), left=('parameter',))}</section>"
        )

    fig = fan_figure(data)
    if fig is not None:
        pngs["fans"] = _png(fig)
        rows = []
        for kpi, label, s in FANS:
            t = fan_table(data, kpi)
            for r in t.itertuples():
                rows.append({"KPI": label, "year": r.year, "P10": _fmt(r.p10 * s), "P50": _fmt(r.p50 * s), "P90": _fmt(r.p90 * s)})
        sections.append(
            '<section id="fans"><h2>Spread over the years (P10 / P50 / P90)</h2>'
            f'{_img(pngs["fans"], "fan charts")}<details><summary>the numbers</summary>'
            f"{_table(pd.DataFrame(rows), left=('KPI',))}</details></section>"
        )

    freq = binding_frequency(data)
    if not freq.empty:
        pngs["binding"] = _png(binding_figure(freq))
        t = freq.map(lambda v: "" if not np.isfinite(v) else f"{v:.0%}")
        t.columns = [str(c) for c in t.columns]
        t.insert(0, "family", t.index)
        sections.append(
            '<section id="binding"><h2>How often each constraint family binds</h2>'
            f'{_img(pngs["binding"], "binding frequency")}{_table(t, left=("family",))}</section>'
        )

    mt = morris_table(data, kpis)
    if mt:
        parts = []
        for i, (col, mi) in enumerate(mt.items()):
            if mi["mu_star"].notna().any():
                pngs[f"morris_{i + 1}"] = _png(morris_figure(mi, col))
                parts.append(f"<h3>{_e(col)}</h3>{_img(pngs[f'morris_{i + 1}'], 'morris ' + col)}"
                             f"{_table(mi.map(_fmt), left=('parameter',))}")
        sections.append(
            '<section id="morris"><h2>Morris screening (mu*, sigma)</h2><p class="note">Elementary effects over '
            "each parameter's whole range: large mu*, the KPI is sensitive to it; large sigma, the effect depends on "
            f"the other parameters (interactions or non-linearity).</p>{''.join(parts)}</section>"
        )

    ex = extremes(data, kpis)
    if ex:
        body = "".join(f"<h3>{_e(label)}</h3><div class='scroll'>{_table(t, left=('point',))}</div>" for label, t in ex)
        sections.append(f'<section id="extremes"><h2>Best and worst scenarios</h2>{body}</section>')

    bad = par[~par["status"].isin(["optimal", "pending"])]
    if len(bad):
        t = bad[["point", "status", "reason"]].head(50).astype(str)
        sections.append(
            f'<section id="failures"><h2>Failed scenarios ({len(bad)})</h2>'
            f"<div class='scroll'>{_table(t, left=('point', 'status', 'reason'))}</div></section>"
        )

    if png_dir is not None:
        png_dir.mkdir(parents=True, exist_ok=True)
        for name, b in pngs.items():
            (png_dir / f"{name}.png").write_bytes(b)
    nav = "".join(f'<a href="#{k}">{v}</a>' for k, v in (("summary", "Summary"), ("tornado", "Tornado"), ("fans", "Fans"),
                                                          ("binding", "Binding"), ("morris", "Morris"),
                                                          ("extremes", "Best/worst"), ("failures", "Failures"))
                  if f'id="{k}"' in "".join(sections))
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    v = meta.get("versions", {})
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>dcplan sweep: {_e(meta.get('name'))}</title><style>{CSS}</style></head><body>"
        f"<header><h1>dcplan sweep: {_e(meta.get('name'))}</h1><p>{len(par):,} scenarios · generated {when}</p></header>"
        f"<nav>{nav}</nav><main>{''.join(sections)}</main>"
        f"<footer>dcplan {_e(v.get('dcplan', ''))} · HiGHS {_e(v.get('highs', ''))} · Pyomo {_e(v.get('pyomo', ''))} · "
        f"Python {_e(v.get('python', ''))}</footer></body></html>\n"
    )


def _describe(spec: dict, path: str) -> str:
    p = (spec.get("parameters") or {}).get(path)
    if not p:
        return "set per scenario (list)"
    if p.get("values") is not None:
        return "values " + ", ".join(f"{v:g}" for v in p["values"])
    return p.get("dist", "") + " " + ", ".join(f"{k} {v:g}" for k, v in p.items() if k != "dist")


def write_sweep_report(folder: str | Path, out_path: str | Path | None = None) -> Path:
    """Write the sweep's HTML page (default DIR/report.html) and its PNGs (DIR/report_png/)."""
    data = load(folder)
    out = Path(out_path) if out_path is not None else Path(folder) / "report.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_sweep_report(data, out.parent / f"{out.stem}_png"), encoding="utf-8")
    return out
