"""The record of a run (`run.json`): what was run, on what inputs, with which software.

:func:`run_record` builds the record as a JSON-ready dict and :func:`write_run_record` writes it;
anything that solves and writes results (``dcplan run``, ``largest-run``, a sweep store) calls
them so every results folder says how it was made. The record holds:

- ``scenario``: name, folder (absolute) and the folders of its ``base:`` chain;
- ``overrides``: per source in the order applied (``scenario.yaml`` of each layer, ``--set``,
  ``what-if``) and ``resolved`` (every override after merging, as dotted paths);
- ``inputs``: a SHA-256 of every input file (``scenario.yaml`` and each CSV of each layer);
- ``versions``: dcplan, HiGHS (highspy), Pyomo, pandas, Python and the platform;
- ``solver_options``: the HiGHS options the run set (HiGHS defaults otherwise);
- ``command``: the command line, ``started_at`` (UTC, ISO 8601) and ``phase_seconds`` (wall time
  of each phase: load, build, solve, write, ...).

Timings and the start time differ between reruns; every other field is the same for the same
inputs and software, so two records can be diffed to see why two runs differ.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import platform
import time
from collections.abc import Mapping
from datetime import datetime, UTC
from pathlib import Path
from typing import Any

RUN_RECORD = "run.json"
RECORD_VERSION = 1


def versions() -> dict[str, str]:
    """Versions of dcplan and the software that shapes its answers."""
    out = {}
    for label, dist in (("dcplan", "dcplan"), ("highs", "highspy"), ("pyomo", "pyomo"), ("pandas", "pandas")):
        try:
            out[label] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            out[label] = "unknown"
    if out["dcplan"] == "unknown":
        import dcplan

        out["dcplan"] = dcplan.__version__
    out["python"] = platform.python_version()
    out["platform"] = platform.platform()
    return out


def sha256(path: Path) -> str:
    """SHA-256 hex digest of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def input_hashes(folders: list[Path]) -> dict[str, str]:
    """SHA-256 of scenario.yaml and every CSV in each scenario folder, keyed by absolute path."""
    out: dict[str, str] = {}
    for d in folders:
        for p in sorted([*d.glob("scenario.y*ml"), *d.glob("*.csv")]):
            if p.is_file():
                out[str(p.resolve())] = sha256(p)
    return out


def scenario_folders(scenario) -> list[Path]:
    """The scenario's folder followed by the folders of its base chain (empty when in memory)."""
    if getattr(scenario, "folder", None) is None:
        return []
    layers = getattr(scenario, "layers", None)
    if layers:
        return [Path(p) for p in layers]
    from dcplan.scenario.layers import base_chain

    return base_chain(Path(scenario.folder))


def run_record(
    scenario,
    *,
    command: list[str] | str | None = None,
    override_sources: Mapping[str, Mapping[str, Any]] | None = None,
    solver_options: Mapping[str, Any] | None = None,
    started_at: float | None = None,
    phase_seconds: Mapping[str, float] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict:
    """A JSON-ready record of one run of `scenario` (a :class:`dcplan.Scenario`).

    `override_sources` maps each source (e.g. ``"--set"``, ``"what-if"``) to its overrides in the
    order applied; the scenario's own merged overrides are recorded as ``resolved``.
    `started_at` is a ``time.time()`` stamp (now when None).
    """
    folders = scenario_folders(scenario)
    return {
        "record_version": RECORD_VERSION,
        "scenario": {
            "name": scenario.name,
            "folder": str(Path(scenario.folder).resolve()) if scenario.folder is not None else None,
            "bases": [str(p.resolve()) for p in folders[1:]],
        },
        "overrides": {
            "sources": {k: _jsonable(dict(v)) for k, v in (override_sources or {}).items()},
            "resolved": _jsonable(dict(scenario.overrides)),
        },
        "inputs": input_hashes(folders),
        "versions": versions(),
        "solver_options": _jsonable(dict(solver_options or {})),
        "command": command if command is None or isinstance(command, str) else " ".join(map(str, command)),
        "started_at": datetime.fromtimestamp(started_at or time.time(), tz=UTC).isoformat(timespec="seconds"),
        "phase_seconds": {k: round(float(v), 4) for k, v in (phase_seconds or {}).items()},
        **_jsonable(dict(extra or {})),
    }


def write_run_record(folder: str | Path, record: Mapping[str, Any]) -> Path:
    """Write `record` as ``run.json`` in `folder`; return its path."""
    p = Path(folder) / RUN_RECORD
    p.write_text(json.dumps(record, indent=2, sort_keys=False) + "\n")
    return p


def read_run_record(folder: str | Path) -> dict | None:
    """The ``run.json`` of a results folder, or None when it has none (an older run)."""
    p = Path(folder) / RUN_RECORD
    if not p.is_file():
        return None
    try:
        return json.loads(p.read_text())
    except (OSError, json.JSONDecodeError):
        return None


def _jsonable(obj: Any) -> Any:
    """Plain JSON types: numpy scalars become Python numbers, paths strings, tuples lists."""
    if isinstance(obj, Mapping):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, Path):
        return str(obj)
    if hasattr(obj, "item") and not isinstance(obj, (str, bytes)):
        try:
            return obj.item()
        except (TypeError, ValueError):
            pass
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    return str(obj)
