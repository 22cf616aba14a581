"""Network layer: the power graph (regions linked by transmission), the fiber graph (sites
linked by fiber) and superclusters (groups of sites within a latency budget).

Plain networkx graphs, built from the scenario's tables; see docs/network.md.
"""

from dcplan.geo.distance import great_circle_km
from dcplan.network.fiber import build_fiber_graph, fiber_graph, fiber_latency_ms, link_table
from dcplan.network.power import corridor_table, power_graph
from dcplan.network.superclusters import (
    Supercluster,
    find_superclusters,
    named_superclusters,
    supercluster_table,
    superclusters,
    training_hosts,
    unknown_host_message,
    within_budget_graph,
)

__all__ = [
    "Supercluster", "build_fiber_graph", "corridor_table", "fiber_graph", "fiber_latency_ms", "find_superclusters",
    "great_circle_km", "link_table", "named_superclusters", "power_graph", "supercluster_table", "superclusters",
    "training_hosts", "unknown_host_message", "within_budget_graph",
]
