"""The fiber graph: sites linked by fiber, with distance, latency and bandwidth on each link.

Latency model (docs/network.md): one-way latency = fiber length x `network.fiber_us_per_km`;
a link with no `distance_km` gets the great-circle distance between its sites x the route
factor (the row's `route_factor`, else `network.route_factor`). Round-trip time = 2 x one-way.
Switching, amplification and serialisation delays are left out: over hundreds of km they are
small against propagation.
"""

from __future__ import annotations

from collections.abc import Mapping

import networkx as nx
import pandas as pd

from dcplan.geo.distance import great_circle_km
from dcplan.network.defaults import NETWORK_DEFAULTS

SITE_ATTRS_SKIPPED = ("site", "source", "source_year", "notes")

FIBER_TABLES = ("sites", "fiber_links")
"""The tables the fiber graph is made from (with the network parameters)."""


def fiber_latency_ms(distance_km: float, us_per_km: float = NETWORK_DEFAULTS["network.fiber_us_per_km"]) -> float:
    """One-way propagation latency (ms) over `distance_km` of fiber."""
    return distance_km * us_per_km / 1000.0


def network_params(params: Mapping[str, float] | None) -> dict[str, float]:
    """The three network parameters, defaults filled in for any absent."""
    params = params or {}
    return {k: float(params.get(k, v)) for k, v in NETWORK_DEFAULTS.items()}


def link_table(sites: pd.DataFrame, links: pd.DataFrame, params: Mapping[str, float] | None = None) -> pd.DataFrame:
    """The fiber links with every derived column: `great_circle_km`, `route_factor_used`,
    `distance_km` (given or computed), `distance_from` ('input' or 'great-circle x route
    factor'), `latency_ms` (one-way), `rtt_ms`, `bandwidth_tbps`.

    Links naming a site that is not in `sites`, or the same site twice, are left out (input
    validation reports them)."""
    p = network_params(params)
    cols = ["site_a", "site_b", "great_circle_km", "route_factor_used", "distance_km", "distance_from",
            "latency_ms", "rtt_ms", "bandwidth_tbps", "source", "source_year"]
    if links is None or links.empty or sites is None or sites.empty:
        return pd.DataFrame(columns=cols)
    st = sites.drop_duplicates("site").set_index("site")
    ok = links["site_a"].isin(st.index) & links["site_b"].isin(st.index) & (links["site_a"] != links["site_b"])
    df = links[ok].copy()
    a, b = st.loc[df["site_a"]], st.loc[df["site_b"]]
    lat_a, lon_a = a["latitude"].to_numpy(float), a["longitude"].to_numpy(float)
    lat_b, lon_b = b["latitude"].to_numpy(float), b["longitude"].to_numpy(float)
    df["great_circle_km"] = great_circle_km(lat_a, lon_a, lat_b, lon_b) if len(df) else []
    rf = pd.to_numeric(df["route_factor"], errors="coerce") if "route_factor" in df else pd.Series(float("nan"), index=df.index)
    given = pd.to_numeric(df["distance_km"], errors="coerce")
    df["route_factor_used"] = rf.fillna(p["network.route_factor"]).where(given.isna())
    df["distance_from"] = given.notna().map({True: "input", False: "great-circle x route factor"})
    df["distance_km"] = given.fillna(df["great_circle_km"] * df["route_factor_used"])
    df["latency_ms"] = df["distance_km"] * p["network.fiber_us_per_km"] / 1000.0
    df["rtt_ms"] = 2.0 * df["latency_ms"]
    for c in ("source", "source_year"):
        if c not in df:
            df[c] = None
    return df[cols].reset_index(drop=True)


def build_fiber_graph(
    sites: pd.DataFrame, links: pd.DataFrame | None, params: Mapping[str, float] | None = None
) -> nx.Graph:
    """The fiber graph from a sites table and a fiber_links table (see :func:`fiber_graph`)."""
    p = network_params(params)
    g = nx.Graph(
        name="fiber",
        fiber_us_per_km=p["network.fiber_us_per_km"],
        route_factor=p["network.route_factor"],
        latency_budget_ms=p["network.latency_budget_ms"],
    )
    for r in sites.to_dict("records"):
        attrs = {k: v for k, v in r.items() if k not in SITE_ATTRS_SKIPPED}
        attrs["pos"] = (float(r["longitude"]), float(r["latitude"]))  # for nx.draw(g, pos=...)
        g.add_node(r["site"], **attrs)
    for r in link_table(sites, links, p).to_dict("records"):
        a, b = r.pop("site_a"), r.pop("site_b")
        if r["route_factor_used"] != r["route_factor_used"]:
            r["route_factor_used"] = None  # the distance was given
        g.add_edge(a, b, **r)
    return g


def fiber_graph(scenario) -> nx.Graph:
    """Sites as nodes, fiber links as edges: a plain, undirected networkx Graph.

    Node attributes: every sites.csv column (name, region, latitude, longitude, operator,
    max_*_mw, pue) plus `pos` = (longitude, latitude) for drawing. Edge attributes:
    `distance_km` (fiber length), `great_circle_km`, `route_factor_used` (None when the
    distance was given), `distance_from`, `latency_ms` (one-way), `rtt_ms`, `bandwidth_tbps`,
    `source`, `source_year`. Graph attributes: `fiber_us_per_km`, `route_factor`,
    `latency_budget_ms` (the scenario's network parameters). Every site is a node, linked or not.

    Shortest paths by latency: ``nx.shortest_path_length(g, a, b, weight="latency_ms")``.

    Built once per scenario and shared (``Scenario.derived``; a parameter-only variant keeps it
    unless a network parameter changed): copy it (``g.copy()``) before changing it.
    """
    links = scenario.tables.get("fiber_links")

    def make() -> nx.Graph:
        return build_fiber_graph(scenario.tables["sites"], links, scenario.params)

    if not hasattr(scenario, "derived"):
        return make()
    return scenario.derived("fiber_graph", make, depends_on=NETWORK_DEFAULTS, tables=FIBER_TABLES)
