"""Layered scenarios: a scenario folder on top of its `base:`, the base's base, ... (any depth).

The rules (docs/inputs.md, "Layered scenarios"):

1. `base:` in scenario.yaml names another scenario folder (relative to the folder holding the
   scenario.yaml, or absolute) or ``default`` (the bundled default). The chain may be any depth;
   a loop is an error naming the chain.
2. Tables: the nearest layer holding ``<table>.csv`` supplies the whole table.
3. Rows: a layer may instead hold ``<table>.add.csv``: its rows are added to the table the layers
   beneath supply, and a row whose key (the table's key columns) matches a row beneath replaces
   that row in place. A replacing row is the whole row (columns it leaves out are blank, as in
   an added row). A layer holding both files uses its ``<table>.csv`` and then its ``.add.csv``.
4. Overrides: every layer's ``overrides:`` apply, the deepest base's first, then each layer up
   to the child, then ``--set`` (later wins).
5. ``name`` and ``description`` are the child's; ``solver:`` options merge like overrides.

Problems in a table's added rows name the ``.add.csv`` file and its line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd


from dcplan.errors import InputError, InputProblem
from dcplan.scenario.readers import ReadProblem, read_yaml
from dcplan.scenario.schema import TABLES, TableSpec

ADD_SUFFIX = ".add.csv"
PATCH_ROW_OFFSET = 1_000_000
"""Added rows are indexed from this offset, so a problem found in the merged table can be
traced back to its line of the ``.add.csv`` file (see :func:`remap_problems`)."""


def add_file(spec: TableSpec) -> str:
    return f"{spec.name}{ADD_SUFFIX}"


def resolve_base(base: Any, folder: Path) -> Path:
    """The folder a `base:` value names, resolved against the child `folder` (may not exist)."""
    if str(base) == "default":
        from dcplan.paths import default_scenario_dir

        return default_scenario_dir()
    p = Path(str(base)).expanduser()
    return p if p.is_absolute() else (folder / p).resolve()


def read_base(folder: Path) -> Any:
    """The `base:` value of `folder`/scenario.yaml (None when absent or unreadable)."""
    try:
        meta = read_yaml(folder / "scenario.yaml")
    except (ReadProblem, OSError):
        return None
    return meta.get("base") if isinstance(meta, dict) and meta.get("base") not in (None, "") else None


def base_chain(folder: Path) -> list[Path]:
    """`folder` followed by its bases, nearest first, as resolved absolute paths (lenient: a base
    that cannot be found ends the chain; load_scenario reports it). Raises InputError on a loop."""
    chain = [Path(folder).resolve()]
    while True:
        base = read_base(chain[-1])
        if base is None:
            return chain
        try:
            nxt = resolve_base(base, chain[-1])
        except InputError:
            return chain
        if nxt in chain:
            raise InputError([_loop_problem(chain, nxt)])
        if not (nxt / "scenario.yaml").is_file():
            return chain
        chain.append(nxt)


def _loop_problem(chain: list[Path], nxt: Path) -> InputProblem:
    loop = " -> ".join(str(p) for p in [*chain[chain.index(nxt):], nxt])
    return InputProblem(str(chain[-1] / "scenario.yaml"), f"base chain loops: {loop}", column="base")


@dataclass
class Layers:
    """What reading a scenario's layers produced, for load_scenario."""

    raw: dict[str, pd.DataFrame]
    labels: dict[str, str]
    sources: list[tuple[str, Any]]  # the bases' overrides, deepest first
    folders: list[Path]  # the child first, then its bases
    add_labels: dict[str, str] = field(default_factory=dict)  # table -> label of its .add.csv rows
    solver: dict = field(default_factory=dict)  # the bases' solver: options merged, nearest wins


def read_layers(folder: Path, meta: dict | None, yaml_path: Path, problems: list[InputProblem]) -> Layers:
    """Read every table of `folder` and its base chain (rules in the module docstring).

    `meta` is the child's parsed scenario.yaml (None when unreadable). A table that is missing
    or unreadable gets a label but no frame and its problem is reported here; when a
    scenario.yaml could not be read or a base was not found, missing tables are not reported.
    """
    from dcplan.scenario import load as L

    layers: list[tuple[Path, dict]] = [(folder, meta or {})]
    complete = meta is not None
    sources: list[tuple[str, Any]] = []
    solver: dict = {}
    seen = [folder.resolve()]
    while True:
        d, m = layers[-1]
        yaml_label = yaml_path.name if d == folder else f"scenario.yaml (from base {d})"
        n_before = len(problems)
        base = L._resolve_base(m.get("base"), d, yaml_label, problems)
        if len(problems) > n_before:
            complete = False
        if base is None:
            break
        if base.resolve() in seen:
            problems.append(_loop_problem(seen, base.resolve()))
            complete = False
            break
        seen.append(base.resolve())
        bm = L._read_yaml(base / "scenario.yaml", problems)
        if bm is None:
            complete = False
            break
        layers.append((base, bm))
        if bm.get("overrides"):
            sources.insert(0, (f"scenario.yaml (from base {base})", bm["overrides"]))
        if isinstance(bm.get("solver"), dict):
            solver = {**bm["solver"], **solver}

    raw: dict[str, pd.DataFrame] = {}
    labels: dict[str, str] = {}
    add_labels: dict[str, str] = {}
    for spec in TABLES.values():
        for d, _ in reversed(layers):  # deepest first
            label = spec.file if d == folder else f"{spec.file} (from base {d})"
            if (d / spec.file).is_file():
                labels[spec.name] = label
                raw.pop(spec.name, None)
                try:
                    raw[spec.name] = L._read_csv(d / spec.file)
                except ReadProblem as e:
                    problems.append(InputProblem(label, f"cannot be read as CSV: {e.message}", row=e.row))
            if (d / add_file(spec)).is_file():
                alabel = add_file(spec) if d == folder else f"{add_file(spec)} (from base {d})"
                try:
                    rows = L._read_csv(d / add_file(spec))
                except ReadProblem as e:
                    problems.append(InputProblem(alabel, f"cannot be read as CSV: {e.message}", row=e.row))
                    continue
                if spec.name not in raw:
                    if spec.name not in labels:  # not merely unreadable beneath
                        problems.append(InputProblem(
                            alabel, f"adds rows to {spec.file}, but no layer beneath has {spec.file}; name the file {spec.file}"
                        ))
                        labels[spec.name] = alabel
                    continue
                raw[spec.name] = _add_rows(spec, raw[spec.name], rows, alabel, problems)
                add_labels[spec.name] = alabel
        if spec.name not in labels and spec.required:
            labels[spec.name] = spec.file
            if complete:
                base = layers[1][0] if len(layers) > 1 else None
                problems.append(InputProblem(spec.file, L._missing_table_message(spec, folder, base)))
    problems += unknown_tables(folder)
    return Layers(raw, labels, sources, [d for d, _ in layers], add_labels, solver)


def _add_rows(spec: TableSpec, beneath: pd.DataFrame, rows: pd.DataFrame, label: str, problems: list[InputProblem]) -> pd.DataFrame:
    """`beneath` with `rows` added; a row whose key matches one beneath replaces it in place."""
    rows = rows.rename(columns=lambda c: str(c).strip())
    beneath = beneath.rename(columns=lambda c: str(c).strip())
    missing_key = [k for k in spec.key if k not in rows.columns]
    if missing_key:
        problems.append(InputProblem(label, f"missing key column(s) {', '.join(missing_key)}; added rows are matched by "
                                            f"{', '.join(spec.key)}", row=1, column=missing_key[0]))
        return beneath
    rows = rows.copy()
    rows.index = [PATCH_ROW_OFFSET + int(i) for i in rows.index]

    def key(r) -> tuple:
        return tuple(str(r[k]).strip() for k in spec.key)

    new: dict[tuple, tuple[int, pd.Series]] = {}
    for i, r in rows.iterrows():
        k = key(r)
        if k in new:
            desc = ", ".join(f"{a}={b}" for a, b in zip(spec.key, k, strict=False))
            problems.append(InputProblem(label, f"duplicate key ({desc}): rows {new[k][0] - PATCH_ROW_OFFSET + 2} and "
                                                f"{int(i) - PATCH_ROW_OFFSET + 2}; keep one", row=int(i) - PATCH_ROW_OFFSET + 2,
                                         column=spec.key[0]))
            continue
        new[k] = (int(i), r)
    columns = list(beneath.columns) + [c for c in rows.columns if c not in beneath.columns]
    out_rows, index = [], []
    has_key = all(k in beneath.columns for k in spec.key)
    for i, r in beneath.iterrows():
        bk = key(r) if has_key else None
        if bk is not None and bk in new:
            j, nr = new.pop(bk)
            out_rows.append(nr)
            index.append(j)
        else:
            out_rows.append(r)
            index.append(int(i))
    for j, nr in new.values():
        out_rows.append(nr)
        index.append(j)
    df = pd.DataFrame([r.reindex(columns).to_dict() for r in out_rows], columns=columns, index=pd.Index(index, dtype=int))
    return df.fillna("")


def remap_problems(problems: list[InputProblem], labels: dict[str, str], add_labels: dict[str, str]) -> list[InputProblem]:
    """Problems about added rows (index at PATCH_ROW_OFFSET and above) name the .add.csv file and its line."""
    by_label = {labels[t]: add_labels[t] for t in add_labels if t in labels}
    out = []
    for p in problems:
        if p.file in by_label and p.row is not None and p.row >= PATCH_ROW_OFFSET:
            p = InputProblem(by_label[p.file], p.message, p.row - PATCH_ROW_OFFSET, p.column)
        out.append(p)
    return out


def unknown_tables(folder: Path) -> list[InputProblem]:
    """CSV files in the folder that are neither a table nor a table's added rows: a misnamed table
    would otherwise be ignored silently (and, with a base, replaced by the base's table)."""
    from dcplan.scenario.load import _did_you_mean

    known = [spec.file for spec in TABLES.values()]
    allowed = set(known) | {add_file(s) for s in TABLES.values()}
    return [
        InputProblem(p.name, f"unknown table{_did_you_mean(p.name, sorted(allowed))}; expected one of: {', '.join(known)} "
                             f"(or <table>{ADD_SUFFIX} to add rows to a base's table)")
        for p in sorted(folder.glob("*.csv"))
        if p.name not in allowed
    ]
