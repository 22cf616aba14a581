"""Read a scenario folder (scenario.yaml + CSV tables), apply overrides, validate everything.

Nothing here writes to disk. Every problem found is collected and raised together as one
:class:`dcplan.errors.InputError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from pydantic import ValidationError

from dcplan.errors import InputError, InputProblem
from dcplan.paths import default_scenario_dir
from dcplan.scenario.checks import cross_checks
from dcplan.scenario.overrides import apply_cell_overrides, split_overrides
from dcplan.scenario.scenario import Scenario
from dcplan.scenario.schema import PARAMETERS, TABLES, TableSpec

YAML_KEYS = {"name", "description", "base", "overrides"}
EXTRA_COLUMNS_ALLOWED = {"notes"}


def load_scenario(path: str | Path | None = None, overrides: Mapping[str, Any] | None = None) -> Scenario:
    """Load and validate the scenario in folder `path` (the bundled default when None).

    `overrides` (dotted paths, as in scenario.yaml) are applied on top of the YAML's own.
    Raises InputError listing every problem found.
    """
    folder = Path(path) if path is not None else default_scenario_dir()
    problems: list[InputProblem] = []
    if folder.is_file() and folder.suffix in (".yaml", ".yml"):
        yaml_path, folder = folder, folder.parent
    else:
        yaml_path = folder / "scenario.yaml"
    if not folder.is_dir():
        raise InputError([InputProblem(str(folder), "no such scenario folder")])
    meta = _read_yaml(yaml_path, problems)
    raw, labels = _read_folder(folder, meta, yaml_path, problems)
    merged = dict(meta.get("overrides") or {})
    if overrides:
        merged.update(overrides)
    if problems:
        raise InputError(problems)
    return _assemble(
        raw,
        labels,
        name=str(meta.get("name") or folder.name),
        description=str(meta.get("description") or ""),
        overrides=merged,
        origin=yaml_path.name,
        folder=folder,
    )


def scenario_from_tables(
    tables: Mapping[str, pd.DataFrame],
    name: str = "custom",
    description: str = "",
    overrides: Mapping[str, Any] | None = None,
) -> Scenario:
    """Build and validate a scenario from in-memory tables (same rules as a folder on disk)."""
    raw = {k: _as_strings(v) for k, v in tables.items()}
    labels = {k: f"{k}.csv" for k in raw}
    problems = [InputProblem(f"{k}.csv", "unknown table") for k in raw if k not in TABLES]
    if problems:
        raise InputError(problems)
    return _assemble(raw, labels, name=name, description=description, overrides=dict(overrides or {}), origin="overrides")


# ----------------------------------------------------------------------------------------------


def _read_yaml(path: Path, problems: list[InputProblem]) -> dict:
    if not path.is_file():
        problems.append(InputProblem(str(path), "missing scenario.yaml (needs at least 'name:')"))
        return {}
    try:
        meta = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as e:
        problems.append(InputProblem(path.name, f"not valid YAML: {e}"))
        return {}
    if not isinstance(meta, dict):
        problems.append(InputProblem(path.name, "expected a mapping with keys " + ", ".join(sorted(YAML_KEYS))))
        return {}
    for k in meta:
        if k not in YAML_KEYS:
            problems.append(
                InputProblem(path.name, f"unknown key '{k}'; expected one of {', '.join(sorted(YAML_KEYS))}", column=str(k))
            )
    if meta.get("overrides") is not None and not isinstance(meta["overrides"], dict):
        problems.append(InputProblem(path.name, "'overrides' must be a mapping of path: value", column="overrides"))
        meta["overrides"] = {}
    return meta


def _resolve_base(base: Any, folder: Path) -> Path:
    if base in (None, ""):
        return None
    if str(base) == "default":
        return default_scenario_dir()
    p = Path(str(base))
    return p if p.is_absolute() else (folder / p).resolve()


def _read_folder(
    folder: Path, meta: dict, yaml_path: Path, problems: list[InputProblem]
) -> tuple[dict[str, pd.DataFrame], dict[str, str]]:
    base = _resolve_base(meta.get("base"), folder)
    if base is not None and not (base / "scenario.yaml").is_file():
        problems.append(InputProblem(yaml_path.name, f"base scenario '{meta.get('base')}' not found at {base}", column="base"))
        base = None
    raw: dict[str, pd.DataFrame] = {}
    labels: dict[str, str] = {}
    for spec in TABLES.values():
        for d in (folder, base):
            if d is not None and (d / spec.file).is_file():
                label = spec.file if d == folder else f"{spec.file} (from base {d})"
                try:
                    raw[spec.name] = pd.read_csv(d / spec.file, dtype=str, keep_default_na=False, skipinitialspace=True)
                except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as e:
                    problems.append(InputProblem(label, f"cannot be read as CSV: {e}"))
                labels[spec.name] = label
                break
        else:
            if spec.required:
                problems.append(InputProblem(str(folder / spec.file), "required table is missing"))
    return raw, labels


def _as_strings(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for c in out.columns:
        out[c] = ["" if (v is None or (isinstance(v, float) and v != v)) else str(v) for v in out[c]]
    return out.reset_index(drop=True)


def _validate_table(spec: TableSpec, raw: pd.DataFrame, label: str, problems: list[InputProblem]) -> pd.DataFrame:
    """Validate each row of one table against its row model; return the typed DataFrame."""
    raw = raw.rename(columns=lambda c: str(c).strip())
    cols = spec.columns
    missing = [c for c in cols if c not in raw.columns]
    extra = [c for c in raw.columns if c not in cols and c not in EXTRA_COLUMNS_ALLOWED]
    for c in missing:
        problems.append(InputProblem(label, f"missing column; expected columns: {', '.join(cols)}", column=c))
    for c in extra:
        problems.append(InputProblem(label, f"unknown column; expected columns: {', '.join(cols)}", column=c))
    if missing:
        return pd.DataFrame(columns=cols)
    records = []
    for i, row in enumerate(raw[cols].to_dict("records")):
        line = i + 2  # header is line 1
        data = {k: (None if str(v).strip() == "" else v) for k, v in row.items()}
        try:
            records.append(spec.row_model.model_validate(data).model_dump())
        except ValidationError as e:
            for err in e.errors():
                col = str(err["loc"][0]) if err["loc"] else None
                got = row.get(col, "") if col else ""
                msg = _describe(err, got)
                problems.append(InputProblem(label, msg, row=line, column=col))
    typed = pd.DataFrame.from_records(records, columns=cols)
    # duplicate keys
    if len(raw):
        keys = raw[list(spec.key)].apply(lambda s: s.str.strip())
        dup = keys.duplicated(keep=False)
        for i in raw.index[dup]:
            first = raw.index[dup & (keys == keys.loc[i]).all(axis=1)][0]
            if i != first:
                key = ", ".join(f"{k}={keys.loc[i, k]}" for k in spec.key)
                problems.append(
                    InputProblem(label, f"duplicate key ({key}); first seen on row {first + 2}", row=i + 2, column=spec.key[0])
                )
    return typed


def _describe(err: dict, got: Any) -> str:
    kind = err.get("type", "")
    if got in (None, "") and kind in ("missing", "float_type", "int_type", "string_type", "string_too_short"):
        return "blank; a value is required"
    if kind == "finite_number":
        return f"got '{got}'; expected a finite number (not NaN or infinity)"
    if kind in ("float_parsing", "int_parsing", "int_from_float"):
        want = "an integer" if kind.startswith("int") else "a number"
        return f"got '{got}'; expected {want}"
    return f"got '{got}'; {err.get('msg', 'invalid')}".replace("Input should be", "expected")


def _parameters(typed: pd.DataFrame, label: str, overrides: dict[str, Any], origin: str, problems: list[InputProblem]) -> dict[str, float]:
    params: dict[str, float] = {}
    rows: dict[str, int] = {}
    for i, r in typed.iterrows():
        name = r["name"]
        if name not in PARAMETERS:
            problems.append(
                InputProblem(label, f"unknown parameter '{name}'; see docs/inputs.md for the list", row=int(i) + 2, column="name")
            )
            continue
        params[name] = float(r["value"])
        rows[name] = int(i) + 2
    for name, value in overrides.items():
        try:
            params[name] = float(value)
        except (TypeError, ValueError):
            problems.append(InputProblem(origin, f"override '{name}': got '{value}'; expected a number", column="overrides"))
        rows[name] = None
    for name, spec in PARAMETERS.items():
        if name not in params:
            problems.append(InputProblem(label, f"parameter '{name}' ({spec.unit}) is missing", column="name"))
            continue
        v = params[name]
        where = (label, rows[name]) if rows[name] is not None else (origin, None)
        col = "value" if rows[name] is not None else "overrides"
        if v != v or v in (float("inf"), float("-inf")):
            problems.append(InputProblem(where[0], f"parameter '{name}' is {v}; expected a finite number", where[1], col))
        elif (spec.lo is not None and v < spec.lo) or (spec.hi is not None and v > spec.hi):
            rng = f"[{spec.lo}, {spec.hi}]" if spec.hi is not None else f">= {spec.lo}"
            problems.append(InputProblem(where[0], f"parameter '{name}' = {v:g}; expected {rng} {spec.unit}", where[1], col))
        elif spec.integer and v != int(v):
            problems.append(InputProblem(where[0], f"parameter '{name}' = {v:g}; expected a whole number of {spec.unit}", where[1], col))
    return params


def _assemble(
    raw: dict[str, pd.DataFrame],
    labels: dict[str, str],
    *,
    name: str,
    description: str,
    overrides: dict[str, Any],
    origin: str,
    folder: Path | None = None,
) -> Scenario:
    problems: list[InputProblem] = []
    for spec in TABLES.values():
        if spec.name not in raw:
            if spec.required:
                problems.append(InputProblem(spec.file, "required table is missing"))
            else:
                raw[spec.name] = pd.DataFrame({c: pd.Series(dtype=str) for c in spec.columns})
                labels[spec.name] = spec.file
    if problems:
        raise InputError(problems)
    pristine = {k: v.copy() for k, v in raw.items()}
    work = {k: v.copy() for k, v in raw.items()}
    param_ovr, cell_ovr, p = split_overrides(overrides, origin)
    problems += p
    problems += apply_cell_overrides(work, cell_ovr, origin)
    typed = {spec.name: _validate_table(spec, work[spec.name], labels[spec.name], problems) for spec in TABLES.values()}
    params = _parameters(typed["parameters"], labels["parameters"], param_ovr, origin, problems)
    problems += cross_checks(typed, params, labels, work)
    if problems:
        raise InputError(problems)
    return Scenario(
        name=name,
        description=description,
        tables=typed,
        params=params,
        folder=folder,
        overrides=dict(overrides),
        raw_tables=pristine,
    )
