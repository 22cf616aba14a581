"""The power graph: regions as nodes, transmission corridors as directed arcs.

Each row of transmission.csv is one corridor between two regions and gives two arcs,
from -> to (`capacity_mw`) and to -> from (`reverse_capacity_mw`, or `capacity_mw` when
blank). Both arcs share the corridor's losses, wheeling charge and expansion: expansion adds
the same MW in both directions, so a transport model should build it once per corridor
(the `corridor` attribute names it).
"""

from __future__ import annotations

import networkx as nx
import pandas as pd

CORRIDOR_ATTRS = (
    "length_km", "loss_fraction", "wheeling_usd_per_mwh", "expansion_capex_usd_per_mw_km",
    "expansion_lead_time_years", "max_expansion_mw", "source", "source_year",
)

CORRIDOR_TABLES = ("transmission", "regions")
"""The tables the corridor records are made from (what a table variant must change to recompute them)."""


def corridor_id(from_region: str, to_region: str) -> str:
    """The id of a corridor: its two regions joined by '-' in file order (e.g. 'TX-OK')."""
    return f"{from_region}-{to_region}"


def corridor_table(transmission: pd.DataFrame | None, regions: set[str] | None = None) -> pd.DataFrame:
    """Transmission corridors, one row per direction (tidy): corridor, from_region,
    to_region, direction ('forward' as written in the file, 'reverse'), capacity_mw,
    expansion_capex_usd_per_mw (= per MW-km x length) and the corridor's other columns.

    Rows naming a region not in `regions` (when given) or the same region twice are left out
    (input validation reports them)."""
    cols = ["corridor", "from_region", "to_region", "direction", "capacity_mw", "expansion_capex_usd_per_mw", *CORRIDOR_ATTRS]
    if transmission is None or transmission.empty:
        return pd.DataFrame(columns=cols)
    t = transmission[transmission["from_region"] != transmission["to_region"]]
    if regions is not None:
        t = t[t["from_region"].isin(regions) & t["to_region"].isin(regions)]
    rows = []
    for r in t.to_dict("records"):
        cid = corridor_id(r["from_region"], r["to_region"])
        common = {k: r.get(k) for k in CORRIDOR_ATTRS}
        common["expansion_capex_usd_per_mw"] = float(r["expansion_capex_usd_per_mw_km"]) * float(r["length_km"])
        rev = r.get("reverse_capacity_mw")
        rev = r["capacity_mw"] if rev is None or rev != rev else rev  # blank (None/NaN): symmetric
        rows.append({"corridor": cid, "from_region": r["from_region"], "to_region": r["to_region"],
                     "direction": "forward", "capacity_mw": float(r["capacity_mw"]), **common})
        rows.append({"corridor": cid, "from_region": r["to_region"], "to_region": r["from_region"],
                     "direction": "reverse", "capacity_mw": float(rev), **common})
    return pd.DataFrame(rows, columns=cols)


def scenario_corridors(scenario) -> list[dict]:
    """The scenario's corridor_table (regions of regions.csv) as records, computed once per
    scenario (``Scenario.derived``; a parameter-only variant shares it)."""
    return scenario.derived(
        "corridor_records",
        lambda: corridor_table(scenario.tables.get("transmission"), set(scenario.regions.index)).to_dict("records"),
        tables=CORRIDOR_TABLES,
    )


def power_graph(scenario, year: int | None = None) -> nx.DiGraph:
    """Regions as nodes, transmission corridors as arcs: a plain networkx DiGraph.

    Node attributes (for `year`, default the first horizon year): `name`, `iso`,
    `headroom_mw` (large-load headroom in `year`), `power_price_usd_per_mwh` (in `year`),
    `gas_price_usd_per_mmbtu`, `interconnection_cap_mw_per_year`, `sites` (ids of the region's
    sites). Arc attributes: `corridor`, `direction`, `capacity_mw` (existing transfer
    capability in this direction), `length_km`, `loss_fraction` (share of the power sent that
    is lost), `wheeling_usd_per_mwh`, `expansion_capex_usd_per_mw_km`,
    `expansion_capex_usd_per_mw`, `expansion_lead_time_years`, `max_expansion_mw`, `source`,
    `source_year`. Graph attributes: `year`.
    """
    year = scenario.start_year if year is None else int(year)
    g = nx.DiGraph(name="power", year=year)
    sites_by_region: dict[str, list[str]] = {}
    for s, r in scenario.site_region.items():
        sites_by_region.setdefault(r, []).append(s)
    for r, row in scenario.region_spec.items():
        g.add_node(
            r,
            name=row["name"],
            iso=row["iso"],
            headroom_mw=scenario.headroom_mw(r, year),
            power_price_usd_per_mwh=scenario.power_price_usd_per_mwh(r, year),
            gas_price_usd_per_mmbtu=row["gas_price_usd_per_mmbtu"],
            interconnection_cap_mw_per_year=row["interconnection_cap_mw_per_year"],
            sites=sorted(sites_by_region.get(r, [])),
        )
    for arc in corridor_table(scenario.tables.get("transmission"), set(g.nodes)).to_dict("records"):
        u, v = arc.pop("from_region"), arc.pop("to_region")
        g.add_edge(u, v, **arc)
    return g
