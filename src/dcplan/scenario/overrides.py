"""Overrides from scenario.yaml: dotted paths naming a parameter or a table cell."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

import pandas as pd

from dcplan.errors import InputProblem
from dcplan.scenario.schema import PARAMETERS, TABLES, param_spec


def flatten(mapping: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Flatten nested mappings into dotted paths: {a: {b: 1}} -> {"a.b": 1}."""
    out: dict[str, Any] = {}
    for k, v in mapping.items():
        path = f"{prefix}.{k}" if prefix else str(k)
        if isinstance(v, Mapping):
            out.update(flatten(v, path))
        else:
            out[path] = v
    return out


def flatten_checked(mapping: Mapping[str, Any], origin: str, problems: list[InputProblem]) -> dict[str, Any]:
    """Like :func:`flatten`, but a path given twice (e.g. dotted `a.b: 1` and nested
    `a: {b: 2}`) is a problem rather than silently taking the last."""
    out: dict[str, Any] = {}
    seen: dict[str, str] = {}

    def walk(m: Mapping, prefix: str, shown: str) -> None:
        for k, v in m.items():
            path = f"{prefix}.{k}" if prefix else str(k)
            how = f"{shown} > {k}" if shown else str(k)
            if isinstance(v, Mapping):
                walk(v, path, how)
            elif path in out:
                problems.append(
                    InputProblem(
                        origin,
                        f"override '{path}' is given twice (as '{seen[path]}' and as '{how}'); keep one",
                        column="overrides",
                    )
                )
            else:
                out[path], seen[path] = v, how

    walk(mapping, "", "")
    return out


def _did_you_mean(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.75)
    return f" (did you mean '{close[0]}'?)" if close else ""


def split_overrides(
    overrides: Mapping[str, Any], origin: str
) -> tuple[dict[str, Any], dict[str, Any], list[InputProblem]]:
    """Split overrides into parameter overrides and table-cell overrides.

    Returns (parameter_overrides, cell_overrides, problems). Paths naming neither a parameter
    nor a table are problems.
    """
    params: dict[str, Any] = {}
    cells: dict[str, Any] = {}
    problems: list[InputProblem] = []
    for path, value in flatten(overrides).items():
        head = path.split(".", 1)[0]
        if param_spec(path) is not None:
            params[path] = value
        elif head in TABLES and head != "parameters":
            cells[path] = value
        else:
            problems.append(
                InputProblem(
                    origin,
                    f"override '{path}' names no parameter and no table cell{_did_you_mean(path, PARAMETERS)}; expected a "
                    "parameters.csv name (e.g. 'lead_time_years.gas_turbine') or "
                    "'<table>.<row key>.<column>' with table one of "
                    + ", ".join(t for t in TABLES if t != "parameters"),
                    column="overrides",
                )
            )
    return params, cells, problems


def _cell_text(value: Any) -> str:
    """An override value as the text a CSV cell would hold (None is a blank cell)."""
    return "" if value is None else str(value)


def _existing_keys(df: pd.DataFrame, key: tuple[str, ...], limit: int = 12) -> str:
    """'; rows are: a, b, ...' listing the keys present, for 'no such row' messages."""
    keys = sorted({".".join(str(v).strip() for v in r) for r in df[list(key)].itertuples(index=False, name=None)})
    if not keys:
        return "; the table has no rows"
    return "; rows are: " + ", ".join(keys[:limit]) + (", ..." if len(keys) > limit else "")


def apply_cell_overrides(
    frames: dict[str, pd.DataFrame],
    cells: Mapping[str, Any],
    origin: str,
    applied: dict[tuple[str, int, str], str] | None = None,
) -> list[InputProblem]:
    """Write table-cell overrides into the raw (string) frames in place; return problems.

    A path is ``<table>.<key part>...<column>``; a key part ``*`` matches every row.
    Each cell written is recorded in `applied` as (table, row index, column) -> path.
    """
    problems: list[InputProblem] = []
    applied = {} if applied is None else applied
    for path, value in cells.items():
        table, *rest = path.split(".")
        spec = TABLES[table]
        nkey = len(spec.key)
        if len(rest) != nkey + 1:
            key_desc = ".".join(f"<{k}>" for k in spec.key)
            problems.append(
                InputProblem(origin, f"override '{path}': expected '{table}.{key_desc}.<column>'", column="overrides")
            )
            continue
        *key_parts, column = rest
        if table not in frames:
            problems.append(InputProblem(origin, f"override '{path}': the scenario has no {spec.file}", column="overrides"))
            continue
        df = frames[table]
        if column not in spec.columns or column in spec.key:
            problems.append(
                InputProblem(
                    origin,
                    f"override '{path}': '{column}' is not an editable column of {spec.file}"
                    f"{_did_you_mean(column, spec.columns)}; "
                    f"expected one of {', '.join(c for c in spec.columns if c not in spec.key)}",
                    column="overrides",
                )
            )
            continue
        if any(c not in df.columns for c in (*spec.key, column)):
            continue  # the table's missing column is reported by its own validation
        mask = pd.Series(True, index=df.index)
        for k, part in zip(spec.key, key_parts, strict=False):
            if part != "*":
                mask &= df[k].astype(str).str.strip() == part
        if not mask.any():
            problems.append(
                InputProblem(
                    origin,
                    f"override '{path}': no row of {spec.file} has "
                    + ", ".join(f"{k}={p}" for k, p in zip(spec.key, key_parts, strict=False))
                    + _existing_keys(df, spec.key),
                    column="overrides",
                )
            )
            continue
        df.loc[mask, column] = _cell_text(value)
        applied.update({(table, int(i), column): path for i in df.index[mask]})
    return problems
