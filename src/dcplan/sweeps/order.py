"""The order a sweep solves its scenarios in: within each structure group, along a nearest-neighbour
chain, so that every warm re-solve starts from a nearby scenario's basis (docs/sweeps.md, "Why this
order").

Distances are measured in rank-percentile coordinates (each swept path's values ranked within the
group, 0 to 1), optionally weighted per path by how many simplex iterations a step along that path
costs. The weights come from a probe: `probe_design` says what to solve (the group's central
scenario, then three warm re-solves per path), the runner solves it where the sweep solves
(`runner.probe_costs`, on the workers) and `weights_from` turns the iterations into weights.
Ordering never changes an answer, only which basis a scenario starts from.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

ORDERS = ("auto", "chain", "design")
"""`auto`: the chain weighted by probed iteration costs when a group is large enough
(`PROBE_MIN_SCENARIOS`), else `chain`; `chain`: the unweighted rank chain; `design`: design order."""

PROBE_MIN_SCENARIOS = 40
"""`auto` probes only when the largest structure group has at least this many scenarios to run:
below it the probe's cold solve costs more than a better order saves."""

PROBE_STEP = 0.2
"""Rank width of a probe: one path moves from the central scenario's rank to about -STEP/2, then to
about +STEP/2, then back."""

WEIGHT_FLOOR = 0.0025
"""A path whose probe cost no iterations keeps this weight (the costliest path has 1), so it still
separates scenarios that agree on every costly path (the floor of the measured comparison in
docs/sweeps.md)."""


@dataclass
class OrderInfo:
    """How a run ordered its scenarios (recorded in the store's run log)."""

    order: str
    weights: dict[str, float] = field(default_factory=dict)
    probe_iterations: dict[str, int] = field(default_factory=dict)
    probe_seconds: float = 0.0
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"order": self.order}
        if self.weights:
            out["order_weights"] = {k: round(v, 6) for k, v in self.weights.items()}
            out["probe_iterations"] = self.probe_iterations
            out["probe_seconds"] = round(self.probe_seconds, 3)
        if self.note:
            out["order_note"] = self.note
        return out


def is_missing(v) -> bool:
    """A design cell that sets nothing (None or NaN: the path keeps the base value)."""
    return v is None or (isinstance(v, float) and math.isnan(v))


def coordinate_columns(tasks: list, paths: list[str]) -> tuple[list[str], np.ndarray]:
    """(the paths that vary among `tasks`, their (len(tasks), n) coordinates in [0, 1]): each
    path's values as their rank percentile among these tasks (ties share a rank). Non-numeric
    values are ranked as categories (in order of appearance), a missing value (the path not set:
    the base value) sits at 0.5, and a path constant among the tasks is left out (it adds no
    distance)."""
    used, cols = [], []
    for p in paths:
        raw = pd.Series([t.overrides.get(p) for t in tasks], dtype=object)
        miss = raw.map(is_missing).to_numpy(bool)
        num = pd.to_numeric(raw, errors="coerce")
        if num[~miss].isna().any():  # some values are not numbers: rank them as categories
            num = pd.Series(pd.factorize(raw.map(repr))[0], dtype=float).where(~miss)
        present = num[~miss]
        if present.nunique() < 2 and (miss.all() or not miss.any()):
            continue
        r = num.rank(method="average")
        lo, hi = r.min(), r.max()
        col = ((r - lo) / (hi - lo)).to_numpy(float, copy=True) if hi > lo else np.zeros(len(tasks))
        col[miss] = 0.5
        used.append(p)
        cols.append(col)
    return used, (np.column_stack(cols) if cols else np.zeros((len(tasks), 0)))


def task_coordinates(tasks: list, paths: list[str], weights: dict[str, float] | None = None) -> np.ndarray:
    """The tasks' rank coordinates (`coordinate_columns`), each path's column multiplied by its
    weight when `weights` are given (a path without a weight keeps 1)."""
    used, x = coordinate_columns(tasks, paths)
    if weights:
        x = x * np.array([weights.get(p, 1.0) for p in used])
    return x


def nearest_neighbour_chain(x: np.ndarray) -> np.ndarray:
    """A greedy nearest-neighbour chain through the rows of `x` (Euclidean): start at the row
    nearest the rows' centre, then always step to the nearest row not yet visited. Returns the row
    order (a permutation). Deterministic: ties go to the lowest row (design order)."""
    n = len(x)
    if n <= 2 or x.shape[1] == 0:
        return np.arange(n)
    x = np.asarray(x, dtype=float)
    order = np.empty(n, dtype=np.int64)
    cur = int(np.argmin(((x - x.mean(axis=0)) ** 2).sum(axis=1)))
    left = np.ones(n, dtype=bool)
    for k in range(n):
        order[k] = cur
        left[cur] = False
        if k == n - 1:
            break
        d = ((x - x[cur]) ** 2).sum(axis=1)
        d[~left] = np.inf
        cur = int(np.argmin(d))
    return order


def step_distance(x: np.ndarray, order: np.ndarray | None = None) -> float:
    """Total Euclidean length of the path through the rows of `x` in `order` (default: as given)."""
    y = np.asarray(x, float)[order if order is not None else slice(None)]
    return float(np.sqrt(((y[1:] - y[:-1]) ** 2).sum(axis=1)).sum()) if len(y) > 1 else 0.0


def groups(tasks: list) -> list[list]:
    """`tasks` (sorted by group) cut into their structure groups, in order."""
    out: list[list] = []
    for t in tasks:
        if out and out[-1][0].group == t.group:
            out[-1].append(t)
        else:
            out.append([t])
    return out


def chain_within_groups(tasks: list, paths: list[str], weights: dict[str, float] | None = None) -> list:
    """`tasks` (sorted by group) with each structure group reordered along a nearest-neighbour
    chain in (weighted) rank coordinates: consecutive scenarios are close, so the previous basis
    is a good warm start."""
    out: list = []
    for grp in groups(tasks):
        out += [grp[k] for k in nearest_neighbour_chain(task_coordinates(grp, paths, weights))]
    return out


@dataclass
class Probe:
    """What a probe solves: the central scenario's overrides and, per swept path, the three steps
    that move that path alone (its value at each step, `MISSING` for the base value, and the rank
    distance of the step)."""

    centre: dict[str, Any]
    steps: dict[str, list[tuple[Any, float]]]


MISSING = None
"""A probe step's value for a path the scenario does not set (the base value)."""


def probe_design(tasks: list, paths: list[str]) -> Probe | None:
    """The probe of one structure group's `tasks`: its central scenario (nearest the centre in rank
    coordinates) and, per path that varies, three steps: to a value below the centre's (nearest
    rank - PROBE_STEP/2), to one above it (nearest + PROBE_STEP/2) and back, using values the
    group's own scenarios take (`_probe_points`). None when fewer than two paths vary."""
    used, x = coordinate_columns(tasks, paths)
    if len(used) < 2:
        return None
    c = int(np.argmin(((x - x.mean(axis=0)) ** 2).sum(axis=1)))
    steps = {}
    for j, p in enumerate(used):
        r = x[:, j]
        i_lo, i_hi = _probe_points(r, c)
        steps[p] = [(_value(tasks[i], p), float(abs(r[i] - r[prev])))
                    for prev, i in zip([c, i_lo, i_hi], [i_lo, i_hi, c], strict=True)]
    return Probe(dict(tasks[c].overrides), steps)


def _value(task, path: str):
    v = task.overrides.get(path)
    return MISSING if is_missing(v) else v


def step_overrides(centre: dict[str, Any], path: str, value) -> dict[str, Any]:
    """The central scenario's overrides with `path` set to `value` (dropped for MISSING)."""
    ovr = {k: v for k, v in centre.items() if k != path}
    if value is not MISSING:
        ovr[path] = value
    return ovr


def weights_from(costs: dict[str, tuple[int, float] | None], seconds: float = 0.0) -> OrderInfo:
    """The chain's weights from a probe's (iterations, rank distance) per path (None: the path's
    probe failed or changed the structure): each path's iterations per unit of rank, relative to
    the costliest path (which gets 1), at least WEIGHT_FLOOR; a failed path gets 1 (the cautious
    choice: it is kept close along the chain). Linear weights measured better than their square
    root over a whole structure group of the default's 8-path LHS (docs/sweeps.md, "Why this
    order"). Order 'chain' without weights when no path cost an iteration."""
    rate = {p: (c[0] / c[1] if c is not None and c[1] > 0 else math.nan) for p, c in costs.items()}
    iterations = {p: int(c[0]) for p, c in costs.items() if c is not None}
    top = max((v for v in rate.values() if not math.isnan(v)), default=0.0)
    if top <= 0:
        return OrderInfo("chain", note="probe: no path cost a simplex iteration", probe_iterations=iterations,
                         probe_seconds=seconds)
    weights = {p: 1.0 if math.isnan(v) else max(v / top, WEIGHT_FLOOR) for p, v in rate.items()}
    return OrderInfo("probe", weights=weights, probe_iterations=iterations, probe_seconds=seconds)


def _probe_points(r: np.ndarray, c: int) -> tuple[int, int]:
    """The two scenarios a probe moves one path to, from the central scenario `c` (`r`: that path's
    rank coordinates): the one nearest rank r[c] - PROBE_STEP/2 among those below it, and the one
    nearest r[c] + PROBE_STEP/2 among those above it (when the centre is at an end, both on the
    side that has scenarios)."""
    below, above = np.flatnonzero(r < r[c]), np.flatnonzero(r > r[c])

    def nearest(idx: np.ndarray, target: float) -> int:
        return int(idx[np.argmin(np.abs(r[idx] - target))])

    lo_t, hi_t = r[c] - PROBE_STEP / 2, r[c] + PROBE_STEP / 2
    if len(below) and len(above):
        return nearest(below, lo_t), nearest(above, hi_t)
    side, sign = (below, -1.0) if len(below) else (above, 1.0)  # the centre is at an end of the path's range
    return nearest(side, r[c] + sign * PROBE_STEP / 2), nearest(side, r[c] + sign * PROBE_STEP)


def order_tasks(tasks: list, paths: list[str], how: str,
                probe: Callable[[Probe], dict[str, tuple[int, float] | None]] | None = None) -> tuple[list, OrderInfo]:
    """`tasks` (sorted by group, design order within each) in the order `how` asks for (`ORDERS`).
    `auto` probes the largest group (`probe_design`) when it has PROBE_MIN_SCENARIOS or more and
    `probe` is given: `probe` solves a `Probe` (where the sweep solves: runner.probe_costs) and
    returns (iterations, rank distance) per path, from which `weights_from` weighs the chain.
    Returns the tasks and how they were ordered."""
    if how not in ORDERS:
        raise ValueError(f"order must be one of {', '.join(ORDERS)}, not {how!r}")
    if how == "design":
        return list(tasks), OrderInfo("design")
    info = OrderInfo("chain")
    if how == "auto" and probe is not None and tasks:
        largest = max(groups(tasks), key=len)
        design_ = probe_design(largest, paths) if len(largest) >= PROBE_MIN_SCENARIOS else None
        if design_ is not None:
            t0 = time.perf_counter()
            info = weights_from(probe(design_), 0.0)
            info.probe_seconds = time.perf_counter() - t0
        else:
            info.note = (f"largest structure group has {len(largest)} scenarios to run (< {PROBE_MIN_SCENARIOS}): not probed"
                         if len(largest) < PROBE_MIN_SCENARIOS else "fewer than two swept paths vary: not probed")
    return chain_within_groups(tasks, paths, info.weights or None), info
