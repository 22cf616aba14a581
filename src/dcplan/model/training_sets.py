"""Which sites host each year's training run, its anchor, and the fiber links it loads."""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx

from dcplan.errors import InputError, InputProblem
from dcplan.scenario.scenario import Scenario


@dataclass
class TrainingPlan:
    """Per training year: member sites, the anchor site, and each member's fiber path to it."""

    members: dict[int, list[str]] = field(default_factory=dict)
    cluster: dict[int, str] = field(default_factory=dict)
    anchor: dict[int, str] = field(default_factory=dict)
    links_of: dict[tuple[int, str], list[tuple[str, str]]] = field(default_factory=dict)  # (y, site) -> links
    bandwidth_tbps: dict[tuple[str, str], float] = field(default_factory=dict)


def _link(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def training_plan(scn: Scenario) -> TrainingPlan:
    """Resolve training.csv: a supercluster name (named or found, see docs/network.md) or a
    single site id. The anchor is the member with the largest `max_it_mw` (ties: first id);
    every other member reaches it over its lowest-latency fiber path."""
    tp = TrainingPlan()
    tr = scn.tables.get("training")
    if tr is None or tr.empty:
        return tp
    from dcplan.network import fiber_graph, training_hosts, unknown_host_message

    fiber = fiber_graph(scn)
    sites = scn.sites
    hosts = training_hosts(sites.index, scn.tables.get("superclusters"), fiber)
    problems = []
    for i, r in tr.iterrows():
        y, name = int(r["year"]), str(r["supercluster"])
        if not scn.start_year <= y <= scn.end_year:
            continue
        members = hosts.get(name)
        if members is None:  # load_scenario rejects these first (scenario/geo_checks.py)
            problems.append(InputProblem("training.csv", unknown_host_message(name, hosts), int(i) + 2, "supercluster"))
            continue
        anchor = sorted(members, key=lambda s: (-float(sites.loc[s, "max_it_mw"]), s))[0]
        tp.members[y], tp.cluster[y], tp.anchor[y] = sorted(members), name, anchor
        for s in members:
            if s == anchor:
                continue
            path = nx.shortest_path(fiber, s, anchor, weight="latency_ms")
            tp.links_of[y, s] = [_link(a, b) for a, b in zip(path, path[1:], strict=False)]
            for a, b in zip(path, path[1:], strict=False):
                tp.bandwidth_tbps[_link(a, b)] = float(fiber.edges[a, b]["bandwidth_tbps"])
    if problems:
        raise InputError(problems)
    return tp
