"""Short text and HTML summaries of results for the console and Jupyter (`repr(res)`, `res` in a cell).

Work on anything with `scenario`, `status`, `objective_usd`, and `compute`, `costs`, `binding`
tables: a `dcplan.Results` or the `LoadedResults` of a results folder.
"""

from __future__ import annotations

import html

from dcplan.results.realised import holds_value

from dcplan.model.registry import is_penalty


def _unserved_pv(res) -> float:
    c = res.costs
    return float(c.loc[c["category"].map(is_penalty), "cost_pv_usd"].sum()) if len(c) else 0.0


def results_repr(res, kind: str = "Results") -> str:
    """One line: scenario, status, plan cost and unserved value (PV), compute online in the last year."""
    unserved = _unserved_pv(res)
    comp = res.compute.sort_values("year")
    tail = ""
    if len(comp):
        last = comp.iloc[-1]
        tail = f"; {int(last['year'])}: {last['online_h100e'] / 1e6:,.2f}M H100e online, {last['unmet_h100e'] / 1e6:,.2f}M unmet"
    return (
        f"<{kind} '{res.scenario}': {res.status}, plan cost ${(res.objective_usd - unserved) / 1e9:,.2f}bn + unserved demand "
        f"${unserved / 1e9:,.2f}bn (PV){tail}>"
    )


def results_html(res, kind: str = "Results", tables: tuple[str, ...] = ()) -> str:
    """A small HTML summary: the headline, compute by year, the top binding constraint per year."""
    e = html.escape
    comp = res.compute.sort_values("year")
    b = res.binding.assign(_v=holds_value(res.binding))  # the value of one more unit that holds, not the raw dual
    top = b.sort_values("_v", ascending=False).groupby("year").head(1).set_index("year")
    label = "label" if "label" in top.columns else "family"
    rows = "".join(
        f"<tr><td>{int(r.year)}</td><td>{r.demand_h100e / 1e6:,.2f}</td><td>{r.online_h100e / 1e6:,.2f}</td>"
        f"<td>{r.unmet_h100e / 1e6:,.2f}</td><td style='text-align:left'>"
        f"{e(str(top.at[r.year, label])) + ' (' + e(str(top.at[r.year, 'where'])) + ')' if r.year in top.index else '–'}</td></tr>"
        for r in comp.itertuples()
    )
    note = f"<p style='margin:4px 0'>tables: {e(', '.join(tables))}</p>" if tables else ""
    return (
        f"<div><p style='margin:4px 0'><b>{e(results_repr(res, kind)[1:-1])}</b></p>"
        "<table><thead><tr><th>year</th><th>demand (M H100e)</th><th>online</th><th>unmet</th>"
        f"<th style='text-align:left'>top binding constraint</th></tr></thead><tbody>{rows}</tbody></table>{note}</div>"
    )
