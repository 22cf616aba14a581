"""Which parameters and tables a computation reads, so a variant can skip it.

A computation run on :func:`params_view` of a scenario records every ``params`` name it reads
(directly or through Scenario methods such as ``lead_time`` or ``discount_factor``) and, with
``tables=True``, every table it reads (as ``table:<name>``; through the scenario's cached views
and derived objects too). A later variant that changes none of those names and shares those
tables (the same objects: a ``with_overrides`` that changes parameters or a few table cells
shares every other table) would compute the same thing, so its result can be reused.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dcplan.scenario.frozen import FrozenDict
from dcplan.scenario.scenario import RecordingTables, Scenario

TABLE_PREFIX = "table:"
"""Names of tables among the recorded reads and the changes: ``table:sites``."""


class Recording(FrozenDict):
    """A read-only parameters dict that records the names read."""

    def __init__(self, base: Mapping[str, Any]):
        super().__init__(base)
        self.read: set[str] = set()

    def __getitem__(self, k):
        self.read.add(k)
        return super().__getitem__(k)

    def get(self, k, default=None):
        self.read.add(k)
        return super().get(k, default)

    def __contains__(self, k):
        self.read.add(k)
        return super().__contains__(k)


def params_view(scn: Scenario, tables: bool = False) -> tuple[Scenario, Recording]:
    """A view of `scn` whose reads of ``params`` and of ``overrides`` (some values depend on
    whether a parameter is overridden) are recorded in the returned Recording's ``read``.

    ``tables=False``: the tables, cached views and derived objects are shared (fast; table reads
    are not recorded). ``tables=True``: table reads are recorded too: the cached views are
    recomputed on the view (so what they read is seen) and derived objects, shared, record the
    tables they declare."""
    rec = Recording(scn.params)
    over = Recording(scn.overrides)
    over.read = rec.read  # one record of names for both
    recording = RecordingTables(scn.tables, rec.read, TABLE_PREFIX) if tables else None
    return scn.params_view(rec, over, recording), rec


def table_reads(names: set[str] | frozenset[str]) -> frozenset[str]:
    """The ``table:<name>`` entries of a set of recorded reads."""
    return frozenset(n for n in names if n.startswith(TABLE_PREFIX))


def changed_params(a: Scenario, b: Scenario) -> set[str] | None:
    """What differs between `a` and `b`: the names of the parameters (or overrides) that differ
    and ``table:<name>`` for each table that is not the same object in both. None when they do
    not have the same tables or solver options (then anything may differ)."""
    if a.solver_options != b.solver_options or a.tables.keys() != b.tables.keys():
        return None
    out = {k for k in a.params.keys() | b.params.keys() if a.params.get(k) != b.params.get(k)}
    out |= {k for k in a.overrides.keys() | b.overrides.keys() if a.overrides.get(k) != b.overrides.get(k)}
    if a.tables is not b.tables:
        out |= {TABLE_PREFIX + k for k in a.tables if not a.tables.shares(k, b.tables)}
    return out


def change_distance(a: Scenario, b: Scenario) -> float | None:
    """How far apart `a` and `b` are, for choosing the nearer of two warm-start bases: the sum over
    :func:`changed_params` of each numeric parameter's (or override's) relative change
    ``|x_a - x_b| / max(|x_a|, |x_b|)`` (at most 1), and 1 for every other difference (a
    replaced table, a value set in one only, a non-numeric value). None when unknown."""
    changed = changed_params(a, b)
    if changed is None:
        return None
    total = 0.0
    for k in changed:
        x = a.params.get(k, a.overrides.get(k)) if not k.startswith(TABLE_PREFIX) else None
        y = b.params.get(k, b.overrides.get(k)) if not k.startswith(TABLE_PREFIX) else None
        if isinstance(x, int | float) and isinstance(y, int | float) and not isinstance(x, bool) and not isinstance(y, bool):
            scale = max(abs(x), abs(y))
            total += min(abs(x - y) / scale, 1.0) if scale else 0.0
        else:
            total += 1.0
    return total
