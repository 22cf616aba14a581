"""Which scalar parameters a computation reads, so a parameter-only variant can skip it.

A computation run on :func:`params_view` of a scenario records every ``params`` name it reads
(directly or through Scenario methods such as ``lead_time`` or ``discount_factor``). A later
variant that shares the scenario's tables (a parameter-only ``with_overrides``) and changes none
of those names would compute the same thing, so its result can be reused.
"""

from __future__ import annotations

from dataclasses import replace

from dcplan.scenario.scenario import TABLE_CACHES, Scenario


class Recording(dict):
    """A parameters dict that records the names read."""

    def __init__(self, base: dict):
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


def params_view(scn: Scenario) -> tuple[Scenario, Recording]:
    """A view of `scn` (tables, caches and derived objects shared) whose reads of ``params`` and of
    ``overrides`` (some values depend on whether a parameter is overridden) are recorded."""
    rec = Recording(scn.params)
    over = Recording(scn.overrides)
    over.read = rec.read  # one record of names for both
    view = replace(scn, params=rec, overrides=over)
    view.__dict__.update({k: scn.__dict__[k] for k in TABLE_CACHES if k in scn.__dict__})
    view._derived = scn._derived
    return view, rec


def changed_params(a: Scenario, b: Scenario) -> set[str] | None:
    """Names of the parameters (or overrides) that differ between `a` and `b`, or None when their
    tables are not the same objects (then anything may differ)."""
    if a.tables is not b.tables or a.solver_options != b.solver_options:
        return None
    out = {k for k in a.params.keys() | b.params.keys() if a.params.get(k) != b.params.get(k)}
    return out | {k for k in a.overrides.keys() | b.overrides.keys() if a.overrides.get(k) != b.overrides.get(k)}
