"""Superclusters: groups of sites close enough, over fiber, to train one model together.

Definition (docs/network.md). The *RTT* between two sites is twice the one-way latency of the
shortest path between them in the fiber graph (weight `latency_ms`; the path may pass through
other sites). Two sites are *within budget* when their RTT is at most the latency budget
(`network.latency_budget_ms`). A **found supercluster** is a maximal clique, of at least two
sites, of the within-budget graph: every pair of its members is within budget, and no other
site could join without breaking that. A site may belong to several found superclusters; every
group of sites that fits the budget is a subset of at least one of them. **Named
superclusters** come from superclusters.csv as written, with the same RTTs reported.

Order is deterministic: largest first, then smallest max RTT, then member ids. Found
superclusters are named `auto_1`, `auto_2`, ... in that order.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import pandas as pd

AUTO_PREFIX = "auto_"
_EPS = 1e-9


@dataclass(frozen=True)
class Supercluster:
    """A group of sites; RTTs are over the fiber graph's shortest (lowest-latency) paths."""

    name: str
    sites: tuple[str, ...]
    regions: tuple[str, ...]
    max_rtt_ms: float
    """Largest member-pair round-trip time (inf when some pair has no fiber path; 0 for one site)."""
    origin: str
    """'found' (from the fiber graph) or 'named' (superclusters.csv)."""
    rtt_ms: dict[tuple[str, str], float] = field(default_factory=dict, compare=False, repr=False)
    """RTT of every member pair (a, b) with a < b."""
    paths: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict, compare=False, repr=False)
    """Lowest-latency fiber path of every member pair (a, b) with a < b (absent when none)."""

    def within(self, latency_budget_ms: float) -> bool:
        """Whether every member pair's RTT fits `latency_budget_ms`."""
        return self.max_rtt_ms <= latency_budget_ms * (1 + _EPS) + _EPS

    def links(self) -> set[tuple[str, str]]:
        """Fiber links (a, b), a < b, used by the members' lowest-latency paths."""
        out: set[tuple[str, str]] = set()
        for p in self.paths.values():
            out.update((min(a, b), max(a, b)) for a, b in zip(p, p[1:], strict=False))
        return out


def _budget(fiber: nx.Graph, latency_budget_ms: float | None) -> float:
    if latency_budget_ms is not None:
        return float(latency_budget_ms)
    if "latency_budget_ms" not in fiber.graph:
        raise ValueError("give latency_budget_ms: the fiber graph carries no 'latency_budget_ms' attribute")
    return float(fiber.graph["latency_budget_ms"])


def _pairs(fiber: nx.Graph, sites: Sequence[str], cutoff_ms: float | None = None):
    """Shortest one-way latency and path between every pair of `sites` (a < b)."""
    rtt: dict[tuple[str, str], float] = {}
    paths: dict[tuple[str, str], tuple[str, ...]] = {}
    members = sorted(set(sites))
    wanted = set(members)
    for i, a in enumerate(members):
        if a not in fiber:
            for b in members[i + 1 :]:
                rtt[(a, b)] = math.inf
            continue
        dist, path = nx.single_source_dijkstra(fiber, a, cutoff=cutoff_ms, weight="latency_ms")
        for b in members[i + 1 :]:
            if b in dist and b in wanted:
                rtt[(a, b)] = 2.0 * dist[b]
                paths[(a, b)] = tuple(path[b])
            else:
                rtt[(a, b)] = math.inf
    return rtt, paths


def _make(name: str, sites: Iterable[str], fiber: nx.Graph, origin: str) -> Supercluster:
    members = tuple(sorted(set(sites)))
    rtt, paths = _pairs(fiber, members)
    regions = tuple(sorted({str(fiber.nodes[s].get("region")) for s in members if s in fiber and fiber.nodes[s].get("region")}))
    return Supercluster(
        name=name, sites=members, regions=regions, max_rtt_ms=max(rtt.values(), default=0.0),
        origin=origin, rtt_ms=rtt, paths=paths,
    )


def within_budget_graph(fiber: nx.Graph, latency_budget_ms: float | None = None) -> nx.Graph:
    """Sites as nodes, an edge (attribute `rtt_ms`) between every pair whose shortest-path
    fiber RTT is within the budget (default: the graph's `latency_budget_ms`)."""
    budget = _budget(fiber, latency_budget_ms)
    w = nx.Graph(latency_budget_ms=budget)
    w.add_nodes_from(fiber.nodes)
    one_way = budget / 2.0 * (1 + _EPS) + _EPS
    for a in sorted(fiber.nodes):
        dist = nx.single_source_dijkstra_path_length(fiber, a, cutoff=one_way, weight="latency_ms")
        for b, d in dist.items():
            if b != a and a < b:
                w.add_edge(a, b, rtt_ms=2.0 * d)
    return w


def find_superclusters(fiber: nx.Graph, latency_budget_ms: float | None = None, min_sites: int = 2) -> list[Supercluster]:
    """The found superclusters of `fiber` at `latency_budget_ms` (default: the graph's
    `latency_budget_ms`, i.e. the scenario's `network.latency_budget_ms`).

    Maximal cliques of :func:`within_budget_graph` with at least `min_sites` members, largest
    first, then by max RTT, then by member ids; named `auto_1`, `auto_2`, ... in that order.
    """
    memo = _FOUND.setdefault(fiber, {})
    key = (_budget(fiber, latency_budget_ms), min_sites, fiber.number_of_nodes(), fiber.number_of_edges())
    if key not in memo:
        memo[key] = _find(fiber, latency_budget_ms, min_sites)
    return list(memo[key])


_FOUND: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
"""Found superclusters per fiber graph object (the clique search runs once per graph and budget)."""


def _find(fiber: nx.Graph, latency_budget_ms: float | None, min_sites: int) -> list[Supercluster]:
    w = within_budget_graph(fiber, latency_budget_ms)
    cliques = [c for c in nx.find_cliques(w) if len(c) >= min_sites]
    found = [_make("", c, fiber, "found") for c in cliques]
    found.sort(key=lambda c: (-len(c.sites), c.max_rtt_ms, c.sites))
    return [
        Supercluster(f"{AUTO_PREFIX}{i}", c.sites, c.regions, c.max_rtt_ms, c.origin, c.rtt_ms, c.paths)
        for i, c in enumerate(found, start=1)
    ]


def named_superclusters(scenario_or_table, fiber: nx.Graph) -> list[Supercluster]:
    """The hand-named superclusters of superclusters.csv (a Scenario or the table itself), in
    order of first appearance, with their members' RTTs over `fiber`."""
    table = scenario_or_table
    if not isinstance(table, pd.DataFrame):
        table = scenario_or_table.tables.get("superclusters")
    if table is None or table.empty:
        return []
    groups: dict[str, list[str]] = {}
    for name, site in zip(table["supercluster"], table["site"], strict=False):
        groups.setdefault(str(name), []).append(str(site))
    return [_make(name, sites, fiber, "named") for name, sites in groups.items()]


def superclusters(scenario, fiber: nx.Graph | None = None, latency_budget_ms: float | None = None) -> list[Supercluster]:
    """The scenario's named superclusters, then the found ones."""
    from dcplan.network.fiber import fiber_graph

    fiber = fiber_graph(scenario) if fiber is None else fiber
    return named_superclusters(scenario, fiber) + find_superclusters(fiber, latency_budget_ms)


def training_hosts(sites: Iterable[str], superclusters_table: pd.DataFrame | None, fiber: nx.Graph) -> dict[str, list[str]]:
    """Every name a training run may be hosted by (training.csv, the largest-run mode), with its
    member sites: the named superclusters, then the found ones, then each site alone. A
    supercluster's name wins over a site id of the same name."""
    hosts: dict[str, list[str]] = {}
    if superclusters_table is not None and not superclusters_table.empty:
        hosts.update((c.name, list(c.sites)) for c in named_superclusters(superclusters_table, fiber))
    if fiber.number_of_edges():
        hosts.update((c.name, list(c.sites)) for c in find_superclusters(fiber) if c.name not in hosts)
    for s in sites:
        hosts.setdefault(str(s), [str(s)])
    return hosts


def unknown_host_message(name: str, hosts: dict[str, list[str]], sites_file: str = "sites.csv") -> str:
    """What to say when a training run names no supercluster or site (named ones listed first)."""
    menu = ", ".join([h for h, members in hosts.items() if members != [h]][:12]) or "none"
    return f"unknown supercluster or site '{name}'; superclusters: {menu}; or a site id from {sites_file}"


TABLE_COLUMNS = [
    "supercluster", "origin", "year", "n_sites", "sites", "regions", "max_rtt_ms", "within_budget",
    "max_it_mw", "max_grid_mw", "max_onsite_gas_mw", "max_power_mw", "regional_headroom_mw", "power_available_mw",
    "pipeline_shell_mw", "pipeline_grid_mw", "pipeline_gas_mw", "pipeline_power_mw",
]


def supercluster_table(
    scenario,
    clusters: Sequence[Supercluster] | None = None,
    fiber: nx.Graph | None = None,
    latency_budget_ms: float | None = None,
) -> pd.DataFrame:
    """One row per supercluster and horizon year (tidy), with its power.

    Columns: `supercluster`, `origin` ('named' or 'found'), `year`, `n_sites`, `sites` and
    `regions` (comma-separated), `max_rtt_ms`, `within_budget`; the members' summed site limits
    `max_it_mw`, `max_grid_mw`, `max_onsite_gas_mw` and `max_power_mw` (= grid + on-site gas);
    `regional_headroom_mw` (sum over the members' distinct regions of the region's large-load
    headroom that year, shared with the region's other sites); `power_available_mw` (= Σ over
    member regions of min(headroom, members' max_grid_mw there) + members' max_onsite_gas_mw:
    an upper bound that ignores lead times and supply caps); and the pipeline online that year
    at the members: `pipeline_shell_mw`, `pipeline_grid_mw`, `pipeline_gas_mw`,
    `pipeline_power_mw` (= grid + gas).

    `clusters` default: the scenario's named superclusters, then the found ones. For one row
    per supercluster: ``t.pivot(index="supercluster", columns="year", values="pipeline_power_mw")``.
    """
    from dcplan.network.fiber import fiber_graph

    fiber = fiber_graph(scenario) if fiber is None else fiber
    budget = _budget(fiber, latency_budget_ms)
    if clusters is None:
        clusters = named_superclusters(scenario, fiber) + find_superclusters(fiber, budget)
    sites = scenario.sites
    rows = []
    for c in clusters:
        members = [s for s in c.sites if s in sites.index]
        st = sites.loc[members]
        static: dict[str, Any] = {
            "supercluster": c.name, "origin": c.origin, "n_sites": len(c.sites), "sites": ", ".join(c.sites),
            "regions": ", ".join(c.regions), "max_rtt_ms": c.max_rtt_ms, "within_budget": c.within(budget),
            "max_it_mw": float(st["max_it_mw"].sum()), "max_grid_mw": float(st["max_grid_mw"].sum()),
            "max_onsite_gas_mw": float(st["max_onsite_gas_mw"].sum()),
        }
        static["max_power_mw"] = static["max_grid_mw"] + static["max_onsite_gas_mw"]
        grid_by_region = st.groupby("region")["max_grid_mw"].sum()
        for y in scenario.years:
            head = {r: scenario.headroom_mw(r, y) for r in grid_by_region.index if r in scenario.region_spec}
            pipe = {a: sum(scenario.pipeline_capacity(s, a, y) for s in members) for a in ("shell", "grid_interconnection")}
            pipe["onsite"] = sum(scenario.pipeline_capacity(s, k, y) for s in members for k in scenario.onsite_technologies)
            rows.append({
                **static,
                "year": y,
                "regional_headroom_mw": float(sum(head.values())),
                "power_available_mw": float(sum(min(head.get(r, 0.0), g) for r, g in grid_by_region.items()))
                + static["max_onsite_gas_mw"],
                "pipeline_shell_mw": pipe["shell"],
                "pipeline_grid_mw": pipe["grid_interconnection"],
                "pipeline_gas_mw": pipe["onsite"],
                "pipeline_power_mw": pipe["grid_interconnection"] + pipe["onsite"],
            })
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)
