"""Defaults of the network layer's parameters (docs/network.md); scenario/schema.py uses them
as the defaults of the optional `network.*` parameters."""

from __future__ import annotations

NETWORK_DEFAULTS: dict[str, float] = {
    "network.latency_budget_ms": 20.0,  # round-trip; NVIDIA's two-site Nemotron-4 340B run (~1,000 km, >=~20 ms)
    "network.fiber_us_per_km": 4.9,  # one-way propagation in silica fiber (n ~ 1.467)
    "network.route_factor": 1.4,  # fiber route length / great-circle distance (assumption, 1.3-1.5)
}
"""Defaults of the optional network parameters (applied when parameters.csv has no row)."""
