"""Run a sweep: in this process, on a local Dask cluster (the default), or on a Dask scheduler.

Every worker keeps one `Plan` per structure key (a few, least recently used dropped) and re-solves
it in place; scenarios are sent in order of their structure group, so a worker rebuilds only when
the group changes, and within a group along a nearest-neighbour chain in parameter space, one
contiguous stretch per worker (rebalanced when one ends first), so each warm start begins from a
nearby scenario's basis. Workers return compact records (plain numbers and strings, never Pyomo
objects); this process stores each as it arrives (see store.py), so a crash loses only scenarios
in flight.
"""

from __future__ import annotations

import logging
import math
import os
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from dcplan.errors import InputError, SolveError
from dcplan.sweeps.order import ORDERS, OrderInfo, Probe, chain_within_groups, is_missing, order_tasks
from dcplan.sweeps.samplers import design
from dcplan.sweeps.spec import SweepSpec
from dcplan.sweeps.store import Store, base_digest, run_record, scenario_key

HIGHS_OPTIONS = {"threads": 1}
"""Each Dask worker runs HiGHS on one thread: the sweep's parallelism is across scenarios. In-process
sweeps keep HiGHS's defaults: HiGHS fixes its thread pool at the first solve in a process, and a
later solve asking for another `threads` value fails (status 'Not Set')."""

MAX_PLANS = 2
"""Plans (one per structure key) a worker keeps; the least recently used is dropped beyond this."""

RECYCLE_AFTER = 200
"""On a LocalCluster, each worker's process is restarted after this many scenarios (its walk
goes on on the fresh process, which rebuilds its Plan once): a Dask worker's RSS creeps up with
the scenarios it solves (docs/sweeps.md, "Memory"). None or 0: never."""

RESTART_TIMEOUT = 180
"""Seconds to wait for a recycled worker to come back."""


@dataclass
class Task:
    """One scenario to solve: its store key, overrides and structure group (for ordering)."""

    key: str
    overrides: dict[str, Any]
    group: tuple = ()


@dataclass
class SweepResult:
    """What one run of a sweep did."""

    folder: Path
    n_points: int
    n_scenarios: int
    skipped: int
    done: int = 0
    failed: int = 0
    seconds: float = 0.0
    statuses: dict[str, int] = field(default_factory=dict)
    restarts: int = 0
    restart_seconds: float = 0.0
    order: dict[str, Any] = field(default_factory=dict)
    """How the scenarios were ordered (`order.OrderInfo.as_dict`; the probe's seconds are part of `seconds`)."""


class SweepInterrupted(KeyboardInterrupt):
    """Ctrl-C during a sweep; what finished is stored and the same command resumes the rest."""

    def __init__(self, result: SweepResult):
        super().__init__("sweep interrupted")
        self.result = result


# ----- the worker side -------------------------------------------------------------------------------

_PLANS: OrderedDict[str, Any] = OrderedDict()


def _key_kwargs() -> dict:
    """{'results': 'key'} when Plan can return compact key figures (issue 8), else {}."""
    import inspect

    from dcplan.plan import Plan

    return {"results": "key"} if "results" in inspect.signature(Plan.resolve).parameters else {}


_KEY = _key_kwargs()


def structure_key(scn) -> str:
    """The structure key of a scenario's LP (equal keys: one Plan re-solves both in place)."""
    from dcplan.model.sets import sets_and_key

    return sets_and_key(scn)[2]


def _plan_key(scn) -> str:
    """The structure key of `scn`: a cached Plan's when `scn` shares that Plan's sets (known without
    computing them, `Plan.shares_sets`), else computed (and kept for the Plan's re-solve)."""
    for sk in reversed(_PLANS):  # the most recently used first
        if _PLANS[sk].shares_sets(scn):
            return sk
    return structure_key(scn)


def _worker_name() -> str:
    """The Dask worker's name (a LocalCluster's: 0, 1, ...; it survives a restart), '' outside one."""
    import sys

    dist = sys.modules.get("distributed")
    if dist is None:
        return ""
    try:
        return str(dist.get_worker().name)
    except ValueError:
        return ""


def _rss_mb() -> float:
    try:
        import psutil

        return psutil.Process().memory_info().rss / 2**20
    except Exception:  # pragma: no cover - psutil ships with distributed
        return math.nan


def solve_scenario(base, key: str, overrides: dict, kpis: list[str], highs_options: dict | None = None,
                   max_plans: int = MAX_PLANS) -> dict:
    """Solve one scenario (base + overrides) and return its compact record; never raises for a
    scenario's own failure (invalid inputs, infeasible, solver error): those are statuses.
    Anything printed to C-level stdout meanwhile (HiGHS's banner, from a worker or in-process)
    goes to stderr: a sweep's stdout carries only its summary."""
    from dcplan.scenario.solver_options import stdout_to_stderr

    with stdout_to_stderr():
        return _solve_scenario(base, key, overrides, kpis, highs_options, max_plans)


def _solve_scenario(base, key: str, overrides: dict, kpis: list[str], highs_options: dict | None,
                    max_plans: int) -> dict:
    from dcplan.sweeps.kpis import record_from

    t0 = time.perf_counter()
    rec: dict[str, Any] = {"key": key, "status": "optimal", "reason": "", "objective_usd": math.nan, "kpis": [],
                           "rebuilt": False, "solve_seconds": math.nan, "iterations": -1, "worker": f"{os.uname().nodename}:{os.getpid()}",
                           "worker_name": _worker_name()}
    try:
        scn = _variant(base, overrides)
        rec["validate_seconds"] = time.perf_counter() - t0
    except InputError as e:
        rec.update(status="invalid", reason="; ".join(str(p) for p in e.problems))
    else:
        try:
            sk = _plan_key(scn)
            plan, res = _cached_plan(sk, scn, highs_options, max_plans)
            rec["rebuilt"] = res is not None
            if res is None:
                res = plan.resolve(scn, **_KEY)
            rec["solve_seconds"] = float(res.solver.get("solve_seconds", math.nan))
            rec["iterations"] = int(res.solver.get("iterations", -1))
            rec["objective_usd"], rec["kpis"] = record_from(res, kpis)
        except SolveError as e:
            status = "infeasible" if "nfeasible" in e.status else "solver_error"
            rec.update(status=status, reason=f"{e.status}: {e.explanation}".strip(": "))
        except Exception as e:  # a bug or an extreme input: record it, the sweep goes on
            rec.update(status="error", reason=f"{type(e).__name__}: {e}")
    rec["seconds"] = time.perf_counter() - t0
    rec["rss_mb"] = _rss_mb()
    return rec


_MIDS: OrderedDict[tuple, Any] = OrderedDict()
MAX_MIDS = 4
"""Scenarios a worker keeps of the base with only the overrides that need the full validation
path (`_variant`), least recently used dropped."""


def _variant(base, overrides: dict):
    """``base.with_overrides(overrides)``, the same scenario made faster: the overrides that need the
    full validation path (`scenario.load.full_path_overrides`: a lead time, ...) are applied to
    the base once per worker and kept (a sweep's structure groups share them), the rest on top
    (the fast path, one table re-checked per changed table)."""
    from dcplan.scenario.load import full_path_overrides

    slow = full_path_overrides(base, overrides)
    if not slow or len(slow) == len(overrides):
        return base.with_overrides(overrides)
    try:
        k = (id(base), tuple(sorted((p, repr(v)) for p, v in slow.items())))
        mid = _MIDS.get(k)
        if mid is None or mid[0] is not base:
            mid = _MIDS[k] = (base, base.with_overrides(slow))
            while len(_MIDS) > MAX_MIDS:
                _MIDS.popitem(last=False)
        _MIDS.move_to_end(k)
        return mid[1].with_overrides({p: v for p, v in overrides.items() if p not in slow})
    except InputError:  # an invalid scenario: every problem, as all at once reports them
        return base.with_overrides(overrides)


def probe_costs(base, centre: dict, steps: dict[str, list[tuple[Any, float]]], highs_options: dict | None = None,
                max_plans: int = MAX_PLANS) -> dict[str, tuple[int, float] | None]:
    """Solve a probe's steps (`order.Probe`; here, some of its paths) on this worker: the central
    scenario's Plan (built and cached like a scenario's, so the worker's stretch in that group
    starts warm), then per path its three warm re-solves. Returns (simplex iterations, rank
    distance) per path, None for a path whose step was invalid, failed or changed the structure."""
    from dcplan.scenario.solver_options import stdout_to_stderr
    from dcplan.sweeps.order import step_overrides

    with stdout_to_stderr():
        scn = _variant(base, centre)
        sk = structure_key(scn)
        plan, first = _cached_plan(sk, scn, highs_options, max_plans)
        if first is None:
            plan.resolve(scn, **_KEY)  # from wherever the cached plan was: to the centre
        out: dict[str, tuple[int, float] | None] = {}
        for path, seq in steps.items():
            its, dist = 0, 0.0
            try:
                for value, d in seq:
                    s_ = _variant(base, step_overrides(centre, path, value))
                    if _plan_key(s_) != sk:
                        raise ValueError(f"{path}: the step changes the LP's structure")
                    res = plan.resolve(s_, start="last", **_KEY)  # a step along the path, as the chain takes it
                    its += int(res.solver.get("iterations", 0))
                    dist += d
            except Exception:  # an invalid or infeasible step: the path is weighed cautiously
                out[path] = None
                plan.resolve(scn, **_KEY)
                continue
            out[path] = (its, dist)
        return out


def _cached_plan(sk: str, scn, highs_options: dict | None, max_plans: int):
    """(this process's Plan for structure key `sk`, None) when it has one; else (a Plan built from
    `scn` and cached, the key figures of its first solve). The least recently used Plans beyond
    `max_plans` are dropped. A first solve that fails raises; the Plan stays cached."""
    from dcplan.plan import Plan

    plan = _PLANS.get(sk)
    if plan is not None:
        _PLANS.move_to_end(sk)
        return plan, None
    plan = Plan(scn, highs_options if highs_options is not None else HIGHS_OPTIONS)
    _PLANS[sk] = plan
    while len(_PLANS) > max_plans:
        _PLANS.popitem(last=False)
    return plan, plan.solve(**_KEY)


def clear_plans() -> None:
    """Drop this process's cached Plans and variants (tests; a fresh start)."""
    _PLANS.clear()
    _MIDS.clear()


# ----- the driver side ----------------------------------------------------------------------------


def load_base(spec: SweepSpec, base_scenario=None):
    """The sweep's base scenario: `base_scenario` when given, else the spec's `base`."""
    if base_scenario is not None:
        return base_scenario
    from dcplan.scenario.load import load_scenario

    return load_scenario(None if spec.base == "default" else spec.base)


def swept_paths(d: pd.DataFrame) -> list[str]:
    """The override paths of a design's columns (not its point, Morris or unit-cube columns)."""
    return [c for c in d.columns if c not in ("point", "trajectory", "step", "moved") and not c.startswith("u:")]


def plan_tasks(spec: SweepSpec, base, order: str = "chain") -> tuple[pd.DataFrame, list[Task]]:
    """The design with each point's store key, and one task per distinct key, in structure-group
    order (scenarios that share an LP structure run one after another), each group along an
    unweighted nearest-neighbour chain (`order.chain_within_groups`; docs/sweeps.md, "Why this
    order"), or in design order (`order='design'`). The probe-weighted order of `run_sweep` is
    `order.order_tasks`."""
    if order not in ("chain", "design"):
        raise ValueError(f"plan_tasks orders by 'chain' or 'design', not {order!r}")
    d = design(spec)
    paths = swept_paths(d)
    bd = base_digest(base)
    fixed = dict(spec.model.overrides)
    keys, tasks, seen = [], [], set()
    for row in d[paths].itertuples(index=False, name=None):
        ovr = {**fixed, **{p: v for p, v in zip(paths, row, strict=True) if not is_missing(v)}}
        k = scenario_key(bd, ovr)
        keys.append(k)
        if k not in seen:
            seen.add(k)
            tasks.append(Task(k, ovr))
    d.insert(1, "key", keys)
    structural = structural_paths(base, paths, d)
    for t in tasks:
        t.group = tuple((p, _sortable(t.overrides.get(p))) for p in structural)
    tasks.sort(key=lambda t: t.group)  # stable: design order within a group
    return d, (chain_within_groups(tasks, paths) if order == "chain" else tasks)


def _sortable(v) -> tuple:
    return (0, 0.0) if is_missing(v) else (1, float(v))


def structural_paths(base, paths: list[str], d: pd.DataFrame) -> list[str]:
    """The swept paths whose value changes the LP's structure: each is probed at its smallest and
    largest design value against the base. Used only to order the work; correctness never depends
    on it (a Plan rebuilds whenever the structure key differs)."""
    try:
        ref = structure_key(base)
    except Exception:
        return []
    out = []
    for p in paths:
        vals = pd.to_numeric(d[p], errors="coerce").dropna()
        if vals.nunique() < 2:
            continue
        for v in (vals.min(), vals.max()):
            v = int(v) if float(v).is_integer() else float(v)
            try:
                if structure_key(base.with_overrides({p: v})) != ref:
                    out.append(p)
                    break
            except Exception:
                continue
    return out


def run_sweep(
    spec: SweepSpec,
    out: str | Path,
    workers: int | None = None,
    scheduler: str | None = None,
    on_record: Callable[[dict], None] | None = None,
    base_scenario=None,
    highs_options: dict | None = None,
    max_plans: int = MAX_PLANS,
    on_start: Callable[[SweepResult], None] | None = None,
    recycle_after: int | None = RECYCLE_AFTER,
    order: str = "auto",
) -> SweepResult:
    """Run (or resume) `spec` into folder `out`; return counts.

    workers=0: in this process (no Dask). Otherwise a `dask.distributed` LocalCluster of `workers`
    processes (default: the machine's cores), one thread each; `scheduler` ('tcp://host:port')
    joins an existing cluster instead. `on_record` sees each finished scenario's record.
    `recycle_after`: on a LocalCluster, restart each worker's process after that many scenarios
    (None or 0: never); not applied in-process or on a `scheduler`'s workers (not ours to restart).
    `order` (`order.ORDERS`): how the scenarios still to run are ordered within each structure
    group; 'auto' weighs the chain by a probe of iteration costs on large groups, solved where the
    sweep solves (each worker builds the probed group's Plan and keeps it).
    Ctrl-C raises SweepInterrupted after the store is consistent.
    """
    if recycle_after is not None and recycle_after < 0:
        raise ValueError(f"recycle_after must be >= 0 or None, not {recycle_after}")
    base = load_base(spec, base_scenario)
    if order not in ORDERS:
        raise ValueError(f"order must be one of {', '.join(ORDERS)}, not {order!r}")
    d, tasks = plan_tasks(spec, base, order="design")
    store = Store(out)
    in_process = workers == 0 and not scheduler
    opts = highs_options if highs_options is not None else ({} if in_process else HIGHS_OPTIONS)
    store.open(run_record(spec, base, len(d), len(tasks), solver_options=opts), d)
    done = store.done_keys()
    todo = [t for t in tasks if t.key not in done]
    result = SweepResult(Path(out), len(d), len(tasks), skipped=len(tasks) - len(todo))
    if on_start:
        on_start(result)
    t0 = time.perf_counter()
    started = _now_iso()
    paths = swept_paths(d)
    ordered = OrderInfo(order)

    def arrange(probe) -> list[Task]:
        """Order `todo` (`order.order_tasks`) once the solvers are up; `probe` runs a probe there."""
        nonlocal todo, ordered
        todo, ordered = order_tasks(todo, paths, order, probe)
        result.order = ordered.as_dict()
        return todo
    mode = "in-process" if (workers == 0 and not scheduler) else (scheduler or f"LocalCluster({workers or os.cpu_count()})")
    recycle = (recycle_after or None) if not (in_process or scheduler) else None

    def _take(rec: dict) -> None:
        store.add(rec)
        result.done += 1
        result.failed += rec["status"] != "optimal"
        result.statuses[rec["status"]] = result.statuses.get(rec["status"], 0) + 1
        if on_record:
            on_record(rec)

    def _restarted(seconds: float) -> None:
        result.restarts += 1
        result.restart_seconds += seconds

    interrupted = False
    try:
        if in_process:
            for t in arrange(probe_in_process(base, highs_options, max_plans)):
                _take(solve_scenario(base, t.key, t.overrides, list(spec.model.kpis),
                                     highs_options if highs_options is not None else {}, max_plans))
        else:
            _run_dask(arrange, base, spec, workers, scheduler, highs_options, max_plans, _take, recycle, _restarted)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        result.seconds = time.perf_counter() - t0
        store.log_run({"started": started, "finished": _now_iso(), "mode": mode, "todo": len(todo), "done": result.done,
                       "failed": result.failed, "statuses": result.statuses, "seconds": round(result.seconds, 3),
                       "interrupted": interrupted, "recycle_after": recycle, "restarts": result.restarts,
                       "restart_seconds": round(result.restart_seconds, 3), **ordered.as_dict()})
    if interrupted:
        raise SweepInterrupted(result)
    return result


def probe_in_process(base, highs_options: dict | None, max_plans: int):
    """A probe executor (for `order.order_tasks`) in this process: `probe_costs` here (its Plan stays cached
    for the sweep)."""
    return lambda pr: probe_costs(base, pr.centre, pr.steps, highs_options if highs_options is not None else {}, max_plans)


def _probe_on_workers(client, addrs: list[str], base_future, highs_options: dict | None, max_plans: int):
    """A probe executor for Dask: the probe's paths dealt round-robin to the workers, each of which
    builds the central scenario's Plan (its build for that group) and re-solves its paths. A probe
    that fails (a worker lost) gives no weights: the sweep runs on the unweighted chain."""
    def probe(pr: Probe) -> dict:
        paths = list(pr.steps)
        parts = [{p: pr.steps[p] for p in paths[i :: len(addrs)]} for i in range(len(addrs))]
        futs = [client.submit(probe_costs, base_future, pr.centre, part, highs_options, max_plans, workers=[addr],
                              allow_other_workers=False, pure=False, key=f"dcplan-probe-{i}-{time.time_ns()}")
                for i, (addr, part) in enumerate(zip(addrs, parts, strict=True)) if part]
        out: dict = {}
        try:
            for f in futs:
                out.update(f.result())
        except Exception as e:
            logging.getLogger(__name__).warning("order probe failed (%s: %s); ordering without weights", type(e).__name__, e)
            return {}
        finally:
            for f in futs:
                f.release()
        return out

    return probe


def _now_iso() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).isoformat(timespec="seconds")


WINDOW = 2
"""Scenarios queued on a worker at once (the one it solves and the next), so it never waits for
the driver between two, while the rest of its stretch stays with the driver to be rebalanced."""

STEAL_MIN = 4
"""A worker whose stretch is done takes the back half of the longest unsent rest of another's
stretch when that rest has at least this many scenarios (a jump costs one far warm start)."""


@dataclass
class _Lane:
    """One worker's walk along the chain: its address and name, the indices of its stretch still to
    send (in chain order), those sent and not yet taken, and how many its process has finished."""

    addr: str | None
    name: Any
    queue: deque = field(default_factory=deque)
    inflight: set = field(default_factory=set)
    since_restart: int = 0


def steal(lanes: list[_Lane], thief: _Lane, least: int = STEAL_MIN) -> bool:
    """Give `thief` (its queue empty) the back half of the longest other queue, when that queue has
    at least `least` indices; the victim keeps the front half. True when something was taken."""
    victim = max((ln for ln in lanes if ln is not thief), key=lambda ln: len(ln.queue), default=None)
    if victim is None or len(victim.queue) < least:
        return False
    keep = len(victim.queue) - len(victim.queue) // 2
    items = list(victim.queue)
    victim.queue = deque(items[:keep])
    thief.queue.extend(items[keep:])
    return True


def _run_dask(arrange: Callable[[Callable], list[Task]], base, spec: SweepSpec, workers: int | None,
              scheduler: str | None, highs_options: dict | None, max_plans: int, take: Callable[[dict], None],
              recycle_after: int | None = None, on_restart: Callable[[float], None] | None = None) -> None:
    """Solve the scenarios on Dask, passing each record to `take` as it arrives. `arrange` orders
    them once the workers are up, given a probe executor on them (`_probe_on_workers`). Each worker
    walks one contiguous stretch of the chain, WINDOW scenarios sent ahead; one whose stretch is
    done takes the back half of the longest rest (`steal`). `recycle_after` (LocalCluster only; the
    caller passes None otherwise): a worker's process is restarted (through its nanny) once it has
    finished that many scenarios, before it gets more; `on_restart` gets the seconds each took."""
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        # dcplan balances the chain itself (`steal`): the scheduler's stealing would hand a worker a
        # scenario far from its basis, and could run one on a worker about to be restarted
        import dask

        with dask.config.set({"distributed.scheduler.work-stealing": False}):
            cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                                   dashboard_address=None, silence_logs=logging.ERROR)
        client = Client(cluster)
    futures: dict[Any, Any] = {}  # key -> future, until its record is taken
    try:
        if cluster is not None:
            client.wait_for_workers(len(cluster.workers), timeout=120)
        info = client.scheduler_info(n_workers=-1)["workers"]
        addrs = sorted(info)
        base_f = client.scatter(base, broadcast=True, hash=False)
        todo = arrange(_probe_on_workers(client, addrs, base_f, highs_options, max_plans))
        kpis = list(spec.model.kpis)
        cuts = segments(len(todo), len(addrs))
        lanes = [_Lane(a, info[a]["name"], deque(range(*cuts[k])) if k < len(cuts) else deque()) for k, a in enumerate(addrs)]
        if not lanes:  # a scheduler without workers yet: the scheduler places them
            lanes = [_Lane(None, None, deque(range(len(todo))))]
        by_key: dict[Any, tuple[Task, _Lane]] = {}
        pending = as_completed()

        def fill(ln: _Lane) -> None:
            """Send `ln`'s next scenarios up to WINDOW (and to its recycling point)."""
            while len(ln.inflight) < WINDOW and not (recycle_after and ln.since_restart + len(ln.inflight) >= recycle_after):
                if not ln.queue and not steal(lanes, ln):
                    return
                i = ln.queue.popleft()
                t = todo[i]
                # allow_other_workers: a scenario still runs if its worker dies
                f = client.submit(solve_scenario, base_f, t.key, t.overrides, kpis, highs_options, max_plans,
                                  key=f"dcplan-scenario-{t.key}", priority=-i, pure=False,
                                  workers=[ln.addr] if ln.addr else None, allow_other_workers=bool(ln.addr))
                futures[f.key] = f
                by_key[f.key] = (t, ln)
                ln.inflight.add(f.key)
                pending.add(f)

        for ln in lanes:
            fill(ln)
        for f in pending:
            t, ln = by_key.pop(f.key)
            try:
                rec = f.result()
            except Exception as e:  # the worker died (memory?) or the task could not run
                rec = {"key": t.key, "status": "error", "reason": f"{type(e).__name__}: {e}", "kpis": [],
                       "objective_usd": math.nan, "seconds": math.nan, "solve_seconds": math.nan, "iterations": -1, "rebuilt": False,
                       "worker": "", "worker_name": "", "rss_mb": math.nan}
            take(rec)
            futures.pop(f.key, None)
            f.release()
            ln.inflight.discard(f.key)
            ln.since_restart += 1
            if (recycle_after and ln.since_restart >= recycle_after and not ln.inflight and ln.name is not None
                    and (ln.queue or any(len(o.queue) >= STEAL_MIN for o in lanes if o is not ln))):
                t0 = time.perf_counter()  # a fresh process for what this worker does next
                # the base scenario is on every worker (a restarted one fetches it from a peer); when this
                # worker holds the only copy it is dropped first (the scheduler would log its loss) and sent again
                alone = not set(client.run_on_scheduler(_holders, key=base_f.key)) - {ln.addr}
                if alone:
                    _drop(client, base_f)
                addr = _restart(client, ln.name)
                if addr is not None:
                    ln.addr = addr
                    if on_restart:
                        on_restart(time.perf_counter() - t0)
                ln.since_restart = 0
                if alone:
                    base_f = client.scatter(base, broadcast=True, hash=False)
            fill(ln)
    finally:
        if futures:
            client.cancel([f for f in futures.values() if not f.done()])
        client.close()
        if cluster is not None:
            cluster.close()


def _drop(client, future, timeout: float = 5.0) -> None:
    """Release scattered data `future` and wait (up to `timeout` s) until the scheduler has
    forgotten it, so that restarting the worker that held it loses nothing the scheduler tracks."""
    key = future.key
    future.release()
    end = time.monotonic() + timeout
    try:
        while time.monotonic() < end and client.run_on_scheduler(_knows, key=key):
            time.sleep(0.02)
    except Exception:  # noqa: BLE001 - only a log line is at stake
        pass


def _holders(key, dask_scheduler=None) -> list[str]:
    """On the scheduler: the addresses of the workers holding `key`."""
    ts = dask_scheduler.tasks.get(key)
    return [ws.address for ws in ts.who_has] if ts is not None and ts.who_has else []


def _knows(key, dask_scheduler=None) -> bool:
    """On the scheduler: is `key` still one of its tasks?"""
    return key in dask_scheduler.tasks


def _restart(client, name) -> str | None:
    """Restart the worker named `name` (through its nanny); its new address, or None when the
    restart failed (logged; the sweep goes on, on the old process)."""
    try:
        client.restart_workers([name], timeout=RESTART_TIMEOUT)
        for addr, w in client.scheduler_info(n_workers=-1)["workers"].items():
            if w["name"] == name:
                return addr
    except Exception as e:  # a restart that fails must not lose the sweep
        logging.getLogger(__name__).warning("could not restart worker %s (%s: %s); it goes on unrecycled", name, type(e).__name__, e)
    return None


def segments(n: int, k: int) -> list[tuple[int, int]]:
    """`k` contiguous (start, stop) ranges covering range(n), sizes differing by at most one."""
    k = max(1, min(k, n)) if n else 1
    q, r = divmod(n, k)
    out, lo = [], 0
    for i in range(k):
        hi = lo + q + (i < r)
        out.append((lo, hi))
        lo = hi
    return out
