"""The resumable sweep store: a folder of Parquet files, one pair per finished scenario.

Layout of DIR::

    sweep.json                  spec, versions, input hashes, runs (see `run_record`)
    design.parquet              one row per design point: point, key, the swept values (+ Morris columns)
    kpis/<key>.parquet          the scenario's KPI rows (key, kpi, item, year, value)
    scenarios/<key>.parquet     one row: key, status, reason, objective, timings; written LAST

Each file is written to a dot-file and renamed into place, so a file is either whole or absent; a
scenario is finished exactly when `scenarios/<key>.parquet` exists. `kill -9` therefore loses only
the scenarios in flight, and a rerun skips every finished key (each scenario is stored once: its
file name is its key). `key` hashes the base scenario's data and the scenario's resolved overrides.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from dcplan.errors import InputError, InputProblem

STATUSES = ("optimal", "invalid", "infeasible", "solver_error", "error")
"""Scenario outcomes: solved; the inputs failed validation; the LP is infeasible; HiGHS stopped
without an optimum; anything else went wrong (the reason holds the exception)."""

SCENARIO_COLUMNS = ["key", "status", "reason", "objective_usd", "seconds", "validate_seconds", "solve_seconds", "iterations",
                    "rebuilt", "worker", "worker_name", "rss_mb", "finished_at"]
KPI_COLUMNS = ["key", "kpi", "item", "year", "value"]


class SweepStoreError(InputError):
    """The output folder holds something that is not this sweep."""


# ----- hashing ---------------------------------------------------------------------------------------


def table_hashes(scn) -> dict[str, str]:
    """SHA-256 (16 hex) of each of the scenario's raw input tables, as read (before overrides)."""
    out = {}
    for name in sorted(scn.raw_tables):
        text = scn.raw_tables[name].to_csv(index=False, lineterminator="\n")
        out[name] = hashlib.sha256(text.encode()).hexdigest()[:16]
    return out


def base_digest(scn) -> str:
    """A hash of the base scenario's data: its tables and its own overrides."""
    h = hashlib.sha256(json.dumps(table_hashes(scn), sort_keys=True).encode())
    h.update(json.dumps(scn.overrides, sort_keys=True, default=str).encode())
    return h.hexdigest()[:16]


def scenario_key(base: str, overrides: dict[str, Any]) -> str:
    """The store key of one scenario: a hash of the base digest and its resolved overrides."""
    text = base + json.dumps(overrides, sort_keys=True, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def versions() -> dict[str, str]:
    """Versions of what produced the numbers: those of every run record (results/record.py:
    dcplan, HiGHS, Pyomo, pandas, Python, platform) plus the sweep's own (Dask, numpy, scipy)."""
    from importlib.metadata import PackageNotFoundError, version

    from dcplan.results.record import versions as run_versions

    out = run_versions()
    for pkg in ("dask", "distributed", "numpy", "scipy"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def run_record(spec, base_scn, n_points: int, n_scenarios: int, solver_options: dict | None = None) -> dict:
    """The sweep.json record: the run record every results folder has (results/record.py:
    scenario, overrides, input file hashes, versions, solver options, command, start time), plus
    the sweep's spec, its digest, the base's data digest and its table hashes (what the store keys
    hash), the design's size and, appended by each run, ``runs``."""
    from dcplan.results.record import run_record as base_record

    rec = base_record(base_scn, command=sys.argv, solver_options=solver_options,
                      override_sources={"sweep spec (every scenario)": dict(spec.model.overrides)})
    rec["versions"] = versions()
    rec.update({
        "name": spec.name,
        "spec": spec.as_dict(),
        "spec_digest": spec.digest(),
        "spec_file": spec.origin,
        "base": spec.base,
        "base_digest": base_digest(base_scn),
        "input_hashes": table_hashes(base_scn),
        "n_points": n_points,
        "n_scenarios": n_scenarios,
        "created": _now(),
        "runs": [],
    })
    return rec


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _atomic_parquet(df: pd.DataFrame, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    df.to_parquet(tmp, index=False)
    os.replace(tmp, path)


def _atomic_json(data: dict, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=2, default=str))
    os.replace(tmp, path)


# ----- the store ------------------------------------------------------------------------------------


class Store:
    """Write side of a sweep folder."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.scenarios_dir = self.folder / "scenarios"
        self.kpis_dir = self.folder / "kpis"
        self.meta: dict = {}

    def open(self, record: dict, design_df: pd.DataFrame) -> None:
        """Create the folder for a new sweep, or check it holds this same sweep (same spec and
        base data) so finished scenarios can be skipped. Raises SweepStoreError otherwise."""
        meta_path = self.folder / "sweep.json"
        if meta_path.is_file():
            old = json.loads(meta_path.read_text())
            for k, what in (("spec_digest", "spec"), ("base_digest", "base scenario data")):
                if old.get(k) != record[k]:
                    raise SweepStoreError([InputProblem(
                        str(meta_path),
                        f"this folder holds sweep '{old.get('name')}' with a different {what}; "
                        "rerun with the same spec to resume it, or choose another --out",
                    )])
            self.meta = old
        elif self.folder.exists() and any(self.folder.iterdir()):
            raise SweepStoreError([InputProblem(str(self.folder), "the folder exists and is not a sweep folder (no sweep.json); "
                                                "choose an empty or new --out")])
        else:
            self.meta = record
        self.scenarios_dir.mkdir(parents=True, exist_ok=True)
        self.kpis_dir.mkdir(parents=True, exist_ok=True)
        if not (self.folder / "design.parquet").is_file():
            _atomic_parquet(_storable(design_df), self.folder / "design.parquet")
        _atomic_json(self.meta, meta_path)

    def done_keys(self) -> set[str]:
        """Keys of the scenarios already finished (any status)."""
        return {p.stem for p in self.scenarios_dir.glob("*.parquet")}

    def add(self, rec: dict) -> None:
        """Store one finished scenario: its KPI rows, then (the commit) its scenario row."""
        key = rec["key"]
        rows = rec.get("kpis") or []
        kp = pd.DataFrame(rows, columns=["kpi", "item", "year", "value"])
        kp.insert(0, "key", key)
        kp = kp.astype({"key": str, "kpi": str, "item": str, "year": "int64", "value": "float64"})
        _atomic_parquet(kp, self.kpis_dir / f"{key}.parquet")
        row = {c: rec.get(c) for c in SCENARIO_COLUMNS}
        row["iterations"] = -1 if row["iterations"] is None else row["iterations"]  # -1: not solved
        row["worker_name"] = row["worker_name"] or ""
        row["finished_at"] = _now()
        df = pd.DataFrame([row], columns=SCENARIO_COLUMNS).astype(
            {"key": str, "status": str, "reason": str, "objective_usd": "float64", "seconds": "float64",
             "validate_seconds": "float64", "solve_seconds": "float64", "iterations": "int64", "rebuilt": bool, "worker": str, "worker_name": str, "rss_mb": "float64", "finished_at": str}
        )
        _atomic_parquet(df, self.scenarios_dir / f"{key}.parquet")

    def log_run(self, run: dict) -> None:
        """Append one run (start, end, workers, counts) to sweep.json."""
        self.meta.setdefault("runs", []).append(run)
        _atomic_json(self.meta, self.folder / "sweep.json")


def _storable(df: pd.DataFrame) -> pd.DataFrame:
    """Design values are numbers; object columns (ints mixed with floats) become float64."""
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object and c not in ("key", "moved"):
            out[c] = pd.to_numeric(out[c], errors="coerce").astype("float64")
    return out


# ----- reading ---------------------------------------------------------------------------------------


@dataclass
class SweepData:
    """A sweep folder read back as tidy DataFrames.

    `parameters`: one row per design point: point, key, status, reason, objective_usd, seconds and
    one column per swept path. `kpis`: one row per point x KPI x item x year (year -1: the whole
    horizon) with the scenario's status. `meta`: sweep.json. `design`: design.parquet as written.
    """

    parameters: pd.DataFrame
    kpis: pd.DataFrame
    meta: dict
    design: pd.DataFrame

    @property
    def paths(self) -> list[str]:
        """The swept override paths, in spec order."""
        skip = {"point", "key", "trajectory", "step", "moved"}
        return [c for c in self.design.columns if c not in skip and not c.startswith("u:")]


def _read_dir(folder: Path, columns: list[str]) -> pd.DataFrame:
    files = sorted(folder.glob("*.parquet"))
    if not files:
        return pd.DataFrame(columns=columns)
    return pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)


def load(folder: str | Path) -> SweepData:
    """Read sweep folder DIR: (parameters, kpis) tidy DataFrames plus sweep.json and the design.

    >>> data = load("sweeps/lead-times")     # doctest: +SKIP
    >>> data.kpis.query("kpi == 'online_h100e' and year == 2030")  # doctest: +SKIP
    """
    f = Path(folder)
    meta_path = f / "sweep.json"
    if not meta_path.is_file():
        raise SweepStoreError([InputProblem(str(f), "not a sweep folder (no sweep.json); run `dcplan sweep SPEC --out DIR` first")])
    meta = json.loads(meta_path.read_text())
    design_df = pd.read_parquet(f / "design.parquet")
    sc = _read_dir(f / "scenarios", SCENARIO_COLUMNS)
    params = design_df.merge(sc[["key", "status", "reason", "objective_usd", "seconds"]], on="key", how="left")
    params["status"] = params["status"].fillna("pending")
    first = ["point", "key", "status", "reason", "objective_usd", "seconds"]
    params = params[first + [c for c in params.columns if c not in first]]
    kp = _read_dir(f / "kpis", KPI_COLUMNS)
    done = set(sc["key"])
    kp = kp[kp["key"].isin(done)]
    kpis = design_df[["point", "key"]].merge(sc[["key", "status"]], on="key").merge(kp, on="key")
    kpis = kpis.sort_values(["point", "kpi", "item", "year"], kind="stable").reset_index(drop=True)
    return SweepData(parameters=params, kpis=kpis, meta=meta, design=design_df)
