"""Read a scenario folder (scenario.yaml + CSV tables), apply overrides, validate everything.

Nothing here writes to disk. Every problem found is collected and raised together as one
:class:`dcplan.errors.InputError`; a problem in one place does not hide problems elsewhere,
and does not cause spurious follow-on problems (a row that fails its own checks is left out of
the checks that depend on it).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError

from dcplan.errors import InputError, InputProblem
from dcplan.paths import default_scenario_dir
from dcplan.scenario.cache import TABLE_ROWS, frame_key, handout
from dcplan.scenario.checks import ParamWhere, cross_checks
from dcplan.scenario.frozen import FrozenTables
from dcplan.scenario.geo_checks import NETWORK_PARAMS, geo_checks
from dcplan.scenario.layers import read_layers, remap_problems
from dcplan.scenario.overrides import apply_cell_overrides, flatten, flatten_checked, split_overrides
from dcplan.scenario.readers import ReadProblem, line_of, read_csv_text, read_yaml
from dcplan.scenario.scenario import Scenario
from dcplan.scenario.schema import PARAMETERS, RANGES, TABLES, TableSpec, param_spec
from dcplan.scenario.solver_options import solver_option_problems

YAML_KEYS = {"name", "description", "scope", "base", "overrides", "solver"}
EXTRA_COLUMNS_ALLOWED = {"notes"}

MUST_HAVE_ROWS = {
    **{t.name: "" for t in TABLES.values() if t.required},
    "time_slices": " (or remove the file for one time slice per year)",
}
"""Tables that may not be empty when present (with the hint shown when they are)."""

OverrideSources = list[tuple[str, Mapping[str, Any]]]
"""Overrides in the order applied (later wins), each with where it came from (for messages)."""


def load_scenario(
    path: str | Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    overrides_origin: str = "overrides",
) -> Scenario:
    """Load and validate the scenario in folder `path` (the bundled default when None).

    `overrides` (dotted paths or nested mappings, as in scenario.yaml) are applied on top of
    the YAML's own; problems with them are reported against `overrides_origin`.
    Raises InputError listing every problem found.
    """
    folder = Path(path) if path is not None else default_scenario_dir()  # InputError when absent
    if folder.is_file() and folder.suffix in (".yaml", ".yml"):
        yaml_path, folder = folder, folder.parent
    else:
        yaml_path = folder / "scenario.yaml"
    if not folder.is_dir():
        raise InputError([InputProblem(str(folder), "no such scenario folder")])
    problems: list[InputProblem] = []
    meta = _read_yaml(yaml_path, problems)
    layers = read_layers(folder, meta, yaml_path, problems)  # the base chain (scenario/layers.py)
    meta = meta or {}
    solver, p = solver_option_problems({**layers.solver, **(meta.get("solver") or {})}, origin=yaml_path.name)
    problems += p
    try:
        return _assemble(
            layers.raw,
            layers.labels,
            name=str(meta.get("name") or folder.name),
            description=str(meta.get("description") or ""),
            sources=[*layers.sources, (yaml_path.name, meta.get("overrides") or {}), (overrides_origin, overrides or {})],
            folder=folder,
            problems=problems,
            solver_options=solver,
            scope=_scope(meta, folder),
        )
    except InputError as e:
        raise InputError(remap_problems(e.problems, layers.labels, layers.add_labels)) from None


def _scope(meta: Mapping[str, Any], folder: Path, depth: int = 0) -> str:
    """scenario.yaml's `scope:` (who the planner is), else its base scenario's, else ''."""
    if meta.get("scope"):
        return " ".join(str(meta["scope"]).split())
    base = _resolve_base(meta.get("base"), folder, "scenario.yaml", [])
    if base is None or depth > 8:
        return ""
    try:
        base_meta = read_yaml(base / "scenario.yaml") or {}
    except (ReadProblem, OSError):
        return ""
    return _scope(base_meta, base, depth + 1) if isinstance(base_meta, dict) else ""


def scenario_from_tables(
    tables: Mapping[str, pd.DataFrame],
    name: str = "custom",
    description: str = "",
    overrides: Mapping[str, Any] | None = None,
    solver_options: Mapping[str, Any] | None = None,
    scope: str = "",
) -> Scenario:
    """Build and validate a scenario from in-memory tables (same rules as a folder on disk).

    `solver_options` are HiGHS options, as scenario.yaml's ``solver:`` mapping."""
    problems = [
        InputProblem(f"{k}.csv", f"unknown table '{k}'; expected one of: {', '.join(TABLES)}")
        for k in tables
        if k not in TABLES
    ]
    raw = {k: _as_strings(v) for k, v in tables.items() if k in TABLES}
    labels = {k: f"{k}.csv" for k in raw}
    solver, p = solver_option_problems(solver_options, origin="solver_options")
    problems += p
    return _assemble(
        raw, labels, name=name, description=description, sources=[("overrides", overrides or {})], problems=problems,
        solver_options=solver,
        scope=scope,
    )


# ----- reading ---------------------------------------------------------------------------------


def _default_dir() -> Path | None:
    """The bundled default scenario folder, or None if it cannot be found."""
    try:
        return default_scenario_dir()
    except (InputError, FileNotFoundError):
        return None


def _did_you_mean(word: str, choices) -> str:
    """' (did you mean 'x'?)' when `word` looks like a typo of one of `choices`, else ''."""
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.75)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _read_yaml(path: Path, problems: list[InputProblem]) -> dict | None:
    """Read scenario.yaml (scalars as text, no aliases, no duplicate keys: see readers.py);
    None when it is missing or unreadable (so the base is unknown)."""
    if not path.is_file():
        problems.append(InputProblem(str(path), "missing scenario.yaml (needs at least 'name:')"))
        return None
    try:
        meta = read_yaml(path)
    except ReadProblem as e:
        problems.append(InputProblem(path.name, e.message, row=e.row))
        return None
    meta = {} if meta is None else meta
    if not isinstance(meta, dict):
        problems.append(InputProblem(path.name, "expected a mapping with keys " + ", ".join(sorted(YAML_KEYS))))
        return None
    for k in meta:
        if k not in YAML_KEYS:
            problems.append(
                InputProblem(
                    path.name,
                    f"unknown key '{k}'{_did_you_mean(k, YAML_KEYS)}; expected one of: {', '.join(sorted(YAML_KEYS))}",
                    row=line_of(meta, k),
                    column=str(k),
                )
            )
    if meta.get("solver") is not None and not isinstance(meta["solver"], dict):
        problems.append(InputProblem(path.name, "'solver' must be a mapping of HiGHS option: value", column="solver"))
        meta["solver"] = None
    if not isinstance(meta.get("name"), str) or not meta["name"].strip():
        got = "missing" if meta.get("name") is None else f"a {type(meta['name']).__name__}"
        msg = f"'name' is {got}; expected the scenario's name as text"
        problems.append(InputProblem(path.name, msg, row=line_of(meta, "name"), column="name"))
        meta["name"] = None
    for k in ("description", "base"):
        if meta.get(k) is not None and not isinstance(meta[k], str):
            msg = f"'{k}' is a {type(meta[k]).__name__}; expected text"
            problems.append(InputProblem(path.name, msg, row=line_of(meta, k), column=k))
            meta[k] = None
    if meta.get("overrides") is not None and not isinstance(meta["overrides"], dict):
        problems.append(
            InputProblem(
                path.name,
                "'overrides' must be a mapping of path: value",
                row=line_of(meta, "overrides"),
                column="overrides",
            )
        )
        meta["overrides"] = {}
    return meta


def _resolve_base(base: Any, folder: Path, yaml_name: str, problems: list[InputProblem]) -> Path | None:
    """The folder named by scenario.yaml's `base:` (None when absent or not found)."""
    if base in (None, ""):
        return None
    if str(base) == "default":
        p = _default_dir()
        if p is None:
            problems.append(InputProblem(yaml_name, "base 'default': the bundled default scenario cannot be found", column="base"))
        return p
    p = Path(str(base))
    p = p if p.is_absolute() else (folder / p).resolve()
    if not (p / "scenario.yaml").is_file():
        what = "has no scenario.yaml" if p.is_dir() else "does not exist"
        problems.append(InputProblem(yaml_name, f"base scenario '{base}' not found: {p} {what}", column="base"))
        return None
    return p


def _read_csv(path: Path) -> pd.DataFrame:
    """Read a UTF-8 CSV as strings (scenario/readers.py: a file that is not UTF-8 text, or not
    CSV, raises ReadProblem naming what was expected); line = index + 2."""
    return read_csv_text(path)
def _unknown_tables(folder: Path) -> list[InputProblem]:
    """CSV files in the folder that are no table: a misnamed table would otherwise be ignored
    silently (and, with a base, replaced by the base's table)."""
    known = [spec.file for spec in TABLES.values()]
    return [
        InputProblem(p.name, f"unknown table{_did_you_mean(p.name, known)}; expected one of: {', '.join(known)}")
        for p in sorted(folder.glob("*.csv"))
        if p.name not in known
    ]


def _missing_table_message(spec: TableSpec, folder: Path, base: Path | None) -> str:
    where = f"{folder}" + (f" nor in its base {base}" if base is not None else "")
    hint = "" if base is not None else "; add it, or set 'base: default' in scenario.yaml to take it from the default"
    return f"required table is missing: no {spec.file} in {where}{hint}"


def _cell_str(v: Any) -> str:
    """A cell of an in-memory table as the string a CSV would hold ('' for None/NaN)."""
    if v is None or (isinstance(v, float) and v != v):
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))  # 2026.0 (a float column with a blank in it) reads as 2026
    return str(v)


def _as_strings(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy().astype(object)
    for c in out.columns:
        out[c] = [_cell_str(v) for v in out[c]]
    return out.reset_index(drop=True)


# ----- validating one table --------------------------------------------------------------------


def _validate_table_cached(spec: TableSpec, raw: pd.DataFrame, label: str, problems: list[InputProblem]) -> pd.DataFrame | None:
    """:func:`_validate_table`, memoised by the table's name, label and cells (scenario/cache.py)."""

    def make() -> tuple[pd.DataFrame | None, list[InputProblem]]:
        found: list[InputProblem] = []
        return _validate_table(spec, raw, label, found), found

    typed, found = TABLE_ROWS.get((spec.name, label, frame_key(raw)), make)
    problems += found
    return None if typed is None else handout(typed)


def _validate_table(spec: TableSpec, raw: pd.DataFrame, label: str, problems: list[InputProblem]) -> pd.DataFrame | None:
    """Validate each row of one table against its row model.

    Returns the typed DataFrame of the rows that passed (index = the raw index, so
    line = index + 2), or None when columns are missing and the table cannot be checked.
    """
    raw = raw.rename(columns=lambda c: str(c).strip())
    cols = spec.columns
    fields = spec.row_model.model_fields
    missing = [c for c in cols if c not in raw.columns and fields[c].is_required()]
    raw = raw.assign(**{c: "" for c in cols if c not in raw.columns and c not in missing})  # optional column left out
    extra = [c for c in raw.columns if c not in cols and c not in EXTRA_COLUMNS_ALLOWED]
    for c in missing:
        problems.append(InputProblem(label, f"missing column '{c}'; expected columns: {', '.join(cols)}", row=1, column=c))
    for c in extra:
        problems.append(
            InputProblem(label, f"unknown column '{c}'{_did_you_mean(c, cols)}; expected columns: {', '.join(cols)}", row=1, column=c)
        )
    if missing:
        return None
    records, index = [], []
    for i, row in zip(raw.index, raw[cols].to_dict("records"), strict=False):
        data = {k: (None if str(v).strip() == "" else v) for k, v in row.items()}
        try:
            record = spec.row_model.model_validate(data).model_dump()
        except ValidationError as e:
            for err in e.errors():
                col = str(err["loc"][0]) if err["loc"] else None
                problems.append(InputProblem(label, _describe(err, row.get(col, "") if col else ""), row=int(i) + 2, column=col))
            continue
        bad = _out_of_range(spec.name, record, row)
        problems += [InputProblem(label, msg, row=int(i) + 2, column=col) for col, msg in bad]
        if not bad:
            records.append(record)
            index.append(i)
    problems += _duplicate_keys(spec, raw, label)
    return pd.DataFrame.from_records(records, columns=cols, index=pd.Index(index, dtype=int))


def _out_of_range(table: str, record: Mapping[str, Any], cells: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(column, message) for each value of a typed row outside its sensible range (schema.RANGES)."""
    out = []
    for col, v in record.items():
        r = RANGES.get((table, col))
        if r is None or v is None or r.lo <= v <= r.hi:
            continue
        out.append(
            (
                col,
                f"got '{str(cells.get(col, v)).strip()}'; expected {r.lo:g} to {r.hi:g} {r.unit} "
                f"(a sensible range: {r.why}; see docs/inputs.md)",
            )
        )
    return out


def _duplicate_keys(spec: TableSpec, raw: pd.DataFrame, label: str) -> list[InputProblem]:
    """One problem per repeated key, naming the row where the key was first seen."""
    out: list[InputProblem] = []
    first: dict[tuple, int] = {}
    for i, key in zip(raw.index, raw[list(spec.key)].itertuples(index=False, name=None), strict=False):
        key = tuple(str(k).strip() for k in key)
        if "" in key:
            continue  # a blank key is reported as blank
        if key in first:
            desc = ", ".join(f"{k}={v}" for k, v in zip(spec.key, key, strict=False))
            out.append(
                InputProblem(label, f"duplicate key ({desc}): rows {first[key]} and {int(i) + 2}; keep one", row=int(i) + 2, column=spec.key[0])
            )
        else:
            first[key] = int(i) + 2
    return out


def _describe(err: Mapping[str, Any], got: Any) -> str:
    """A pydantic error as 'got X; expected Y'."""
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    if (got is None or str(got).strip() == "") and kind in ("missing", "float_type", "int_type", "string_type", "string_too_short"):
        return "blank; a value is required"
    if kind == "finite_number":
        return f"got '{got}'; expected a finite number (not NaN or infinity)"
    if kind in ("float_parsing", "int_parsing", "int_from_float"):
        want = "a whole number" if kind.startswith("int") else "a number"
        return f"got '{got}'; expected {want}"
    bounds = {"greater_than_equal": (">=", "ge"), "greater_than": (">", "gt"), "less_than_equal": ("<=", "le"), "less_than": ("<", "lt")}
    if kind in bounds:
        op, key = bounds[kind]
        bound = ctx.get(key)
        return f"got '{got}'; expected a value {op} {bound:g}" if isinstance(bound, (int, float)) else f"got '{got}'; expected a value {op} {bound}"
    if kind == "value_error":
        return str(ctx.get("error", err.get("msg", "invalid")))
    if kind == "string_pattern_mismatch":
        return f"got '{got}'; expected an id of letters, digits, '_' or '-' (no spaces or dots)"
    return f"got '{got}'; {err.get('msg', 'invalid')}".replace("Input should be", "expected")


# ----- parameters ------------------------------------------------------------------------------


def _unit_key(unit: Any) -> str:
    """A unit as compared with its schema's: case and spacing ignored."""
    return " ".join(str(unit).split()).lower()


def _parameter_rows(typed: pd.DataFrame, label: str, problems: list[InputProblem]) -> tuple[dict[str, float], ParamWhere]:
    """Known parameters of parameters.csv with where each was read; unknown names are problems."""
    params: dict[str, float] = {}
    where: ParamWhere = {}
    for i, r in typed.iterrows():
        name = r["name"]
        spec = param_spec(name)
        if spec is None:
            problems.append(
                InputProblem(
                    label,
                    f"unknown parameter '{name}'{_did_you_mean(name, PARAMETERS)}; see docs/inputs.md for the list",
                    row=int(i) + 2,
                    column="name",
                )
            )
            continue
        if _unit_key(r["unit"]) != _unit_key(spec.unit):  # unit is a required column (schema.ParameterRow)
            problems.append(InputProblem(
                label, f"parameter '{name}': unit '{r['unit']}'; expected '{spec.unit}' (its value is read in {spec.unit})",
                row=int(i) + 2, column="unit",
            ))
            continue
        params[name] = float(r["value"])
        where[name] = (label, int(i) + 2, "value")
    return params, where


def _override_value(name: str, value: Any, origin: str, problems: list[InputProblem]) -> float | None:
    """A parameter override as a float, or None (with a problem) when it is not a number."""
    if value is None:
        problems.append(InputProblem(origin, f"override '{name}': no value given; expected a number", column="overrides"))
        return None
    try:
        if isinstance(value, bool):
            raise TypeError
        return float(value)
    except (TypeError, ValueError):
        problems.append(InputProblem(origin, f"override '{name}': got '{value}'; expected a number", column="overrides"))
        return None


CROSS_CHECKED_PARAMETERS = ("horizon.", "lead_time_years.", *NETWORK_PARAMS)
"""Parameter names (or name prefixes) the cross-table and geography checks read: overriding one of
these re-validates the whole scenario (see with_fast_overrides). Of the network parameters only the
latency ones are read there (named superclusters within the budget); network.training_bits_per_flop
is a plain coefficient."""


CROSS_CHECKED_CELLS: dict[str, frozenset[str] | None] = {
    "sites": frozenset({"latitude", "longitude", *(c for c in TABLES["sites"].columns if c.startswith("max_"))}),
    "power_technologies": frozenset({"gsu_mva_per_mw"}),
    "supply": None, "pipeline": None, "time_slices": None, "demand_tranches": None, "fiber_links": None,
    "superclusters": None, "permitting": None, "training": None,
}
"""Table columns (None: every column) that the cross-table and geography checks read
(scenario/checks.py, geo_checks.py): a cell override of one of these re-validates the whole
scenario. Every other number-valued column is checked against its schema and range alone
(see with_fast_overrides); tests/test_fast_overrides.py holds the two paths equal."""


def _fast_cell(path: str, value: Any) -> bool:
    """A table-cell override the fast path can take: a number (not blank) for a number-valued
    column no cross-table check reads."""
    table, *rest = path.split(".")
    spec = TABLES.get(table)
    if spec is None or not rest or value is None or isinstance(value, bool):
        return False
    column = rest[-1]
    field = spec.row_model.model_fields.get(column)
    if field is None or column in spec.key or field.annotation is not float:
        return False
    excluded = CROSS_CHECKED_CELLS.get(table, frozenset())
    return excluded is not None and column not in excluded


def _fast_ok(scn: Scenario, flat: Mapping[str, Any]) -> bool:
    """True when `with_fast_overrides` can take the flattened overrides `flat` (see there)."""
    params_part, cells, split_problems = split_overrides(flat, "overrides")
    if split_problems or any(k not in PARAMETERS or k.startswith(CROSS_CHECKED_PARAMETERS) for k in params_part):
        return False
    if not all(_fast_cell(k, v) for k, v in cells.items()):
        return False
    return all(k.split(".", 1)[0] in scn.raw_tables for k in cells)  # an absent optional table: the full path says so


def full_path_overrides(scn: Scenario, overrides: Mapping[str, Any]) -> dict[str, Any]:
    """The entries of `overrides` (paths as ``with_overrides`` takes them) that need the full
    validation path (a lead time, the horizon, a cell a cross-table check reads, ...): applying
    those first and the rest with ``with_overrides`` on the result gives the same scenario as
    applying all at once, so a caller varying only the others can keep the first step."""
    return {k: v for k, v in overrides.items() if not _fast_ok(scn, flatten({k: v}))}


def with_fast_overrides(scn: Scenario, overrides: Mapping[str, Any]) -> Scenario | None:
    """`scn` with `overrides` of scalar parameters and of number cells, each checked against its
    schema and range, without re-reading or re-checking the other tables (no cross-table,
    geography or supercluster checks: the parameters and columns those read take the full
    path). A table whose cells change is rebuilt from its raw rows with every override that
    touches it, as the full path would, and re-validated alone; the other tables, and the cached
    views and derived objects that read none of the changes, are shared. None when an override
    needs the full path (:data:`CROSS_CHECKED_PARAMETERS`, :data:`CROSS_CHECKED_CELLS`). Raises
    InputError as the full path would for a bad value."""
    flat = flatten(overrides)
    if not _fast_ok(scn, flat):
        return None
    params_part, cells, _ = split_overrides(flat, "overrides")
    touched = {k.split(".", 1)[0] for k in cells}
    problems: list[InputProblem] = []
    params = dict(scn.params)
    for name, value in params_part.items():
        v = _override_value(name, value, "overrides", problems)
        if v is None:
            continue
        msg = _parameter_problem(name, v, PARAMETERS[name])
        if msg:
            problems.append(InputProblem("overrides", msg, None, "overrides"))
        else:
            params[name] = v
    merged = {**scn.overrides, **flat}
    tables: dict[str, pd.DataFrame] = {}
    for table in sorted(touched):
        work = {table: scn.raw_tables[table].rename(columns=lambda c: str(c).strip())}
        on_table = {k: v for k, v in merged.items() if k.split(".", 1)[0] == table}
        applied: dict[tuple[str, int, str], str] = {}
        p = apply_cell_overrides(work, on_table, "overrides", applied)
        label = f"{table}.csv"
        typed = _validate_table(TABLES[table], work[table], label, p)
        notes = {k: f"value set by override '{path}' in overrides" for k, path in applied.items()}
        problems += _note_overridden(p, notes, {table: label})
        if typed is not None:
            tables[table] = typed.reset_index(drop=True)
    if problems:
        raise InputError(problems)
    return scn.with_tables(tables, params, merged)


def _parameters(
    typed: pd.DataFrame | None,
    label: str,
    raw_names: set[str],
    overrides: Mapping[str, tuple[Any, str]],
    problems: list[InputProblem],
) -> tuple[dict[str, float], ParamWhere]:
    """Scalar parameters after overrides, with where each came from.

    Only valid values are returned. `typed` is None when parameters.csv could not be checked;
    then missing parameters are not reported (that would only repeat the file's problem).
    `raw_names` are names present in the file even on rows that failed validation.
    """
    params, where = _parameter_rows(typed, label, problems) if typed is not None else ({}, {})
    for name, (value, origin) in overrides.items():
        v = _override_value(name, value, origin, problems)
        params.pop(name, None)
        where[name] = (origin, None, "overrides")
        if v is not None:
            params[name] = v
    out: dict[str, float] = {}
    dynamic = {n: s for n in params if n not in PARAMETERS and (s := param_spec(n)) is not None}
    for name, spec in {**PARAMETERS, **dynamic}.items():
        if (spec.legacy or spec.gsu) and name not in params:
            continue  # required only without power_technologies.csv / with GSUs: checked with the tables (checks.py)
        if name not in params and spec.default is not None and name not in raw_names and name not in where:
            params[name] = spec.default  # an optional parameter left out: its documented default
            where[name] = (label, None, "name")
        if name not in params:
            if typed is not None and name not in raw_names and name not in where:
                problems.append(InputProblem(label, f"parameter '{name}' ({spec.unit}) is missing; add a row for it", column="name"))
            continue
        v = params[name]
        msg = _parameter_problem(name, v, spec)
        if msg:
            file, row, col = where[name]
            problems.append(InputProblem(file, msg, row, col))
        else:
            out[name] = v
    return out, where


def _parameter_problem(name: str, v: float, spec) -> str | None:
    """Why parameter `name` = `v` is out of its allowed range, or None."""
    if v != v or v in (float("inf"), float("-inf")):
        return f"parameter '{name}' is {v}; expected a finite number"
    if spec.off is not None and v == spec.off:
        return None
    if (spec.lo is not None and v < spec.lo) or (spec.hi is not None and v > spec.hi):
        rng = f"[{spec.lo:g}, {spec.hi:g}]" if spec.hi is not None else f">= {spec.lo:g}"
        off = f", or {spec.off:g} ({spec.off_means})" if spec.off is not None else ""
        return f"parameter '{name}' = {v:g}; expected {rng} {spec.unit}{off}"
    if spec.integer and v != int(v):
        return f"parameter '{name}' = {v:g}; expected a whole number of {spec.unit}"
    return None


# ----- putting it together ---------------------------------------------------------------------


def _apply_overrides(
    work: dict[str, pd.DataFrame], sources: OverrideSources, problems: list[InputProblem]
) -> tuple[dict[str, tuple[Any, str]], dict[tuple[str, int, str], str], dict[str, Any]]:
    """Apply every source's overrides in order (later wins).

    Cell overrides are written into `work`. Returns (parameter overrides name -> (value,
    origin), overridden cells (table, index, column) -> note, all overrides as dotted paths).
    """
    param_ovr: dict[str, tuple[Any, str]] = {}
    cells: dict[tuple[str, int, str], str] = {}
    merged: dict[str, Any] = {}
    for origin, ovr in sources:
        if not isinstance(ovr, Mapping):
            problems.append(
                InputProblem(
                    origin,
                    f"overrides must be a mapping of path: value (e.g. {{'lead_time_years.gas_turbine': 6}}), "
                    f"got a {type(ovr).__name__}",
                    column="overrides",
                )
            )
            continue
        flat = flatten_checked(ovr, origin, problems)
        merged.update(flat)
        params, cell_ovr, p = split_overrides(flat, origin)
        problems += p
        param_ovr.update({k: (v, origin) for k, v in params.items()})
        applied: dict[tuple[str, int, str], str] = {}
        problems += apply_cell_overrides(work, cell_ovr, origin, applied)
        cells.update({k: f"value set by override '{path}' in {origin}" for k, path in applied.items()})
    return param_ovr, cells, merged


def _note_overridden(
    problems: list[InputProblem], cells: Mapping[tuple[str, int, str], str], labels: Mapping[str, str]
) -> list[InputProblem]:
    """Add '(value set by override ...)' to problems about cells an override changed, so the
    planner does not hunt the CSV for a value that is not there."""
    by_place: dict[tuple[str, int | None, str | None], str] = {(labels[t], i + 2, c): note for (t, i, c), note in cells.items() if t in labels}
    return [replace(p, message=f"{p.message} ({by_place[(p.file, p.row, p.column)]})") if (p.file, p.row, p.column) in by_place else p for p in problems]


def _sorted(problems: list[InputProblem], labels: Mapping[str, str]) -> list[InputProblem]:
    """Problems in reading order: scenario.yaml and overrides first, then tables, by row."""
    order = {label: n + 1 for n, label in enumerate(labels[t] for t in TABLES if t in labels)}
    return sorted(problems, key=lambda p: (order.get(p.file, 0), p.row or 0))


def _assemble(
    raw: dict[str, pd.DataFrame],
    labels: dict[str, str],
    *,
    name: str,
    description: str,
    sources: OverrideSources,
    folder: Path | None = None,
    problems: list[InputProblem] | None = None,
    solver_options: dict | None = None,
    scope: str = "",
) -> Scenario:
    """Apply overrides, validate every table, the parameters and the cross-table rules;
    raise InputError with every problem, or return the Scenario."""
    problems = list(problems or [])
    present = set(raw)
    pristine = {k: v.copy() for k, v in raw.items()}  # as given: an absent table stays absent
    for spec in TABLES.values():
        if spec.name in raw or spec.name in labels:
            continue  # present, or missing/unreadable and already reported
        if spec.required:
            problems.append(InputProblem(spec.file, "required table is missing"))
        else:
            raw[spec.name] = pd.DataFrame({c: pd.Series(dtype=str) for c in spec.columns})  # absent = empty
        labels[spec.name] = spec.file
    work = {k: v.rename(columns=lambda c: str(c).strip()) for k, v in raw.items()}  # rename copies
    param_ovr, cells, merged = _apply_overrides(work, sources, problems)
    typed: dict[str, pd.DataFrame] = {}
    checkable: dict[str, pd.DataFrame] = {}  # tables present with every column: cross-checked
    for spec in TABLES.values():
        t = _validate_table_cached(spec, work[spec.name], labels[spec.name], problems) if spec.name in work else None
        if t is not None and spec.name in present and spec.name in MUST_HAVE_ROWS and work[spec.name].empty:
            msg = f"table {spec.name} is empty; expected at least one row{MUST_HAVE_ROWS[spec.name]}"
            problems.append(InputProblem(labels[spec.name], msg))
            t = None  # not cross-checked: every reference to it would only repeat this problem
        if t is not None:
            checkable[spec.name] = work[spec.name]
        typed[spec.name] = t if t is not None else pd.DataFrame(columns=spec.columns)
    has_params = "parameters" in checkable
    raw_names = {str(v).strip() for v in checkable["parameters"]["name"]} if has_params else set()
    params, where = _parameters(
        typed["parameters"] if has_params else None, labels["parameters"], raw_names, param_ovr, problems
    )
    merged.update({k: params[k] for k in param_ovr if k in params and k in merged})  # as parsed ('040' -> 40.0)
    problems += cross_checks(typed, params, labels, checkable, where)
    memo: dict[str, object] = {}
    problems += geo_checks(typed, params, labels, checkable, where, memo)
    if problems:
        raise InputError(_sorted(_note_overridden(problems, cells, labels), labels))
    scn = Scenario(
        name=name,
        description=description,
        tables=FrozenTables({k: v.reset_index(drop=True) for k, v in typed.items()}),
        params=params,
        folder=folder,
        overrides=merged,
        raw_tables=FrozenTables(pristine),
        solver_options=dict(solver_options or {}),
        scope=scope,
    )
    if "fiber" in memo:  # the graph the checks built, from the same tables and parameters
        from dcplan.network.fiber import FIBER_TABLES, NETWORK_DEFAULTS

        scn.derived("fiber_graph", lambda: memo["fiber"], depends_on=NETWORK_DEFAULTS, tables=FIBER_TABLES)
    return scn
