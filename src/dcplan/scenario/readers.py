"""Safe reading of a scenario's files: CSV tables and scenario.yaml.

Each reader raises :class:`ReadProblem` with a message a planner can act on, never a codec,
parser or memory error:

- a CSV must be UTF-8 text (a UTF-8 byte-order mark is accepted); UTF-16, latin-1, binary and
  empty files are refused naming the file and, where it helps, the line;
- scenario.yaml is read with every scalar kept as text (so YAML 1.1 does not turn `040` into
  32 or `no` into False: each value is parsed later by its schema type), without anchors or
  aliases (a 1 KB "alias bomb" would otherwise expand until memory runs out), without
  duplicate keys (which YAML would silently resolve to the last one) and without nesting deeper
  than MAX_YAML_DEPTH (a few hundred levels would exhaust Python's recursion limit).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from yaml.nodes import MappingNode

from dcplan.scenario.cache import CSV_FILES, bytes_key, handout

UTF8_CSV = "expected a UTF-8 CSV"
MAX_FILE_BYTES = 200_000_000
"""Larger files are refused rather than read (a table of the default is a few kB)."""
MAX_YAML_DEPTH = 32
"""Deeper nesting in scenario.yaml is refused (the schema needs four levels; a few hundred
would exhaust Python's recursion limit while composing)."""


class ReadProblem(Exception):
    """A file that cannot be read: `message` says why and what was expected; `row` is the
    1-based line when known."""

    def __init__(self, message: str, row: int | None = None):
        super().__init__(message)
        self.message = message
        self.row = row


def _decode_utf8(data: bytes) -> str:
    """`data` as text, or ReadProblem naming what the bytes look like instead."""
    if not data.strip():
        raise ReadProblem(f"the file is empty; {UTF8_CSV} with a header row")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or data[:200].count(b"\x00") > 0:
        looks = "UTF-16 text" if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[1:200:2] else "binary"
        raise ReadProblem(f"the file is {looks}, not text in UTF-8; {UTF8_CSV} (save it as 'CSV UTF-8')")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise ReadProblem(
            f"byte 0x{data[e.start]:02x} on line {line} is not UTF-8 (a latin-1 or Windows-1252 file?); "
            f"{UTF8_CSV} (save it as 'CSV UTF-8')",
            row=line,
        ) from None
    if "\x00" in text:
        raise ReadProblem(f"the file holds NUL characters (binary data?); {UTF8_CSV}")
    return text


def _read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ReadProblem(f"the file is {size / 1e6:,.0f} MB; expected at most {MAX_FILE_BYTES / 1e6:,.0f} MB")
        return path.read_bytes()
    except OSError as e:
        raise ReadProblem(f"cannot be read: {e.strerror or e}") from None


def read_csv_text(path: Path) -> pd.DataFrame:
    """Read a CSV as strings; the index is the 0-based data line, so line = index + 2 even
    when the file has blank lines. Rows whose cells are all blank are dropped.

    Raises ReadProblem for a file that is not a readable UTF-8 CSV. Parsed files are cached by
    the SHA-256 of their bytes (scenario/cache.py)."""
    data = _read_bytes(path)
    df, problem = CSV_FILES.get(bytes_key(data), lambda: _parse_csv(data))
    if problem is not None:
        raise ReadProblem(problem.message, problem.row)
    return handout(df)


def _parse_csv(data: bytes) -> tuple[pd.DataFrame, None] | tuple[None, ReadProblem]:
    """(the table, None) or (None, why `data` is no readable UTF-8 CSV)."""
    try:
        return _csv_frame(data), None
    except ReadProblem as e:
        return None, e


def _extra_cells(text: str) -> ReadProblem | None:
    """The first row with more cells than the header has columns (pandas would silently take
    the first data row's extra cells as an index, shifting every value one column)."""
    rows = csv.reader(io.StringIO(text), skipinitialspace=True)
    try:
        width = len(next(rows))
        for cells in rows:
            if len(cells) > width:
                return ReadProblem(
                    f"line {rows.line_num} has {len(cells)} cells, but the header row has {width} columns; remove the "
                    f"extra cells (or quote a value that holds a comma); {UTF8_CSV}",
                    row=rows.line_num,
                )
    except (StopIteration, csv.Error):
        return None  # no header, or not CSV: pandas says so below
    return None


def _csv_frame(data: bytes) -> pd.DataFrame:
    text = _decode_utf8(data)
    extra = _extra_cells(text)
    if extra is not None:
        raise extra
    try:
        df = pd.read_csv(
            io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=True, skip_blank_lines=False,
            index_col=False,
        )
    except pd.errors.EmptyDataError:
        raise ReadProblem(f"the file has no header row; {UTF8_CSV} with a header row") from None
    except (pd.errors.ParserError, csv.Error, ValueError) as e:
        raise ReadProblem(f"cannot be read as CSV: {e}; {UTF8_CSV}") from None
    df = df.fillna("")
    blank = df.apply(lambda s: s.str.strip() == "").all(axis=1) if len(df.columns) else pd.Series(False, index=df.index)
    return df[~blank]


# ----- scenario.yaml ---------------------------------------------------------------------------


class _TextLoader(yaml.SafeLoader):
    """Safe YAML loader that keeps every scalar as text (YAML's 'failsafe' schema) and
    refuses duplicate keys; anchors and aliases are refused before composing (see read_yaml)."""


def _text_scalar(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    if node.tag == "tag:yaml.org,2002:null" and node.value in ("", "~", "null", "Null", "NULL"):
        return None  # an empty value (`key:`) is no value, as in YAML 1.2
    return node.value


def _mapping(loader: yaml.SafeLoader, node: MappingNode) -> dict:
    out: dict = {}
    lines: dict[str, int] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, str):
            raise ReadProblem(f"line {line}: a key must be text, got a {type(key).__name__}", row=line)
        if key in out:
            raise ReadProblem(f"key '{key}' is given twice (lines {lines[key]} and {line}); keep one", row=line)
        out[key] = loader.construct_object(value_node, deep=True)
        lines[key] = line
    return _Lines(out, lines)


class _Lines(dict):
    """A mapping read from YAML that remembers the line of each key (for messages)."""

    def __init__(self, data: dict, lines: dict[str, int]):
        super().__init__(data)
        self.lines = lines


for _tag in ("null", "bool", "int", "float", "str", "timestamp", "binary", "value", "merge"):
    _TextLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _text_scalar)
_TextLoader.add_constructor("tag:yaml.org,2002:map", _mapping)
_TextLoader.add_constructor("tag:yaml.org,2002:omap", _mapping)


def line_of(mapping: Any, key: str) -> int | None:
    """The 1-based line of `key` in a mapping read by :func:`read_yaml` (None if unknown)."""
    return getattr(mapping, "lines", {}).get(key)


def read_yaml(path: Path) -> Any:
    """Read scenario.yaml: scalars as text (None for an empty value), mappings without
    duplicate keys, no anchors or aliases. Raises ReadProblem naming the line."""
    data = _read_bytes(path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise ReadProblem(
            f"byte 0x{data[e.start]:02x} on line {line} is not UTF-8; expected a UTF-8 YAML file", row=line
        ) from None
    try:
        depth = 0
        for event in yaml.parse(text, Loader=yaml.SafeLoader):  # events only: aliases are not expanded
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_YAML_DEPTH:
                    line = event.start_mark.line + 1
                    raise ReadProblem(
                        f"mappings or lists nested more than {MAX_YAML_DEPTH} deep (line {line}); "
                        "scenario.yaml needs a few levels at most",
                        row=line,
                    )
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
                what = "alias '*" if isinstance(event, yaml.AliasEvent) else "anchor '&"
                line = event.start_mark.line + 1
                raise ReadProblem(
                    f"{what}{event.anchor}' on line {line}: anchors and aliases are not allowed in scenario.yaml; "
                    "write each value out",
                    row=line,
                )
        return yaml.load(text, Loader=_TextLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
        mark_line: int | None = mark.line + 1 if mark else None
        problem = getattr(e, "problem", None) or str(e)
        at = f" (line {mark_line})" if mark_line else ""
        raise ReadProblem(f"not valid YAML{at}: {problem}", row=mark_line) from None
