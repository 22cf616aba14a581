"""Fuzzing the default scenario's inputs (issue 13, part 1): seeded random corruptions of every
table of inputs/default and of scenario.yaml (wrong types, inf/-inf/nan and huge numbers,
negatives, blank cells, deleted and duplicated rows and columns, emptied and deleted tables,
unknown ids, other encodings, binary data, YAML anchors and duplicate keys, ...).

For every case the loader either accepts the change (recorded) or raises InputError whose
problems each name a file of the scenario (and a row and column where the problem is a cell's);
a value its column must refuse is reported at exactly that cell, a file that cannot be read as
a UTF-8 CSV or YAML names that file; no other exception escapes; nothing is written to the
scenario folder. A few accepted corruptions are solved (optimal, or a diagnosed infeasibility),
and the CLI is driven once on a corrupted copy.

Each case is loaded from one working copy of the default, with the corrupted file written in
and restored afterwards (no solve). Set DCPLAN_FUZZ_CASES to run more (or fewer) cases and
DCPLAN_FUZZ_SEED for another seed.
"""

from __future__ import annotations

import csv
import io
import os
import random
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from dcplan import InputError, load_scenario
from dcplan.errors import SolveError
from dcplan.paths import default_scenario_dir
from dcplan.plan import Plan
from dcplan.scenario.schema import PLACEHOLDERS, TABLES

ROOT = Path(__file__).resolve().parents[1]
N_CASES = int(os.environ.get("DCPLAN_FUZZ_CASES", "1000"))
SEED = int(os.environ.get("DCPLAN_FUZZ_SEED", "20261201"))
N_SOLVES = 3
FILES = {spec.file: spec for spec in TABLES.values()}

NOT_A_NUMBER = ["abc", "inf", "-inf", "nan", "NaN", "Infinity", "1e400", "-1e400", "9" * 400, "-" + "9" * 400, "1,5",
                "0x1A", "∞", "1e", "--1", "1_0_", "12 34"]
"""Texts no numeric column may accept: each must be reported at its cell."""
TOO_BIG = ["1e308", "-1e308", "1.7976931348623157e308"]
"""Finite numbers beyond every column's sensible range: each must be reported at its cell."""
MAYBE_NUMBER = ["-1", "0", "-0", "1e-324", "5e-324", "1e-300", "1e30", "1e9", "0.5", "1.5", "2", "2026", "3000", "1e6"]
"""Numbers a column may or may not accept (sign, zero, tiny, large): accepted ones are recorded."""
BAD_ID = ["bad id", "a/b", "x.y", "é", "tab\tid", "semi;colon"]
"""Texts outside the id pattern [A-Za-z0-9_-]: each must be reported at its cell."""
INVISIBLE = ["\u200b", "\u200b \u200b", "\ufeff", "\u2060"]
"""Texts with no visible character: a required text column must refuse them at their cell."""
REFERENCES = {
    ("sites.csv", "region"), ("pipeline.csv", "site"), ("pipeline.csv", "asset"), ("gpu_pipeline.csv", "site"),
    ("gpu_pipeline.csv", "generation"), ("cowos_allocation.csv", "generation"), ("permitting.csv", "region"),
    ("permitting.csv", "asset"), ("slice_profiles.csv", "region"), ("slice_profiles.csv", "slice"),
    ("power_technology_slices.csv", "technology"), ("power_technology_slices.csv", "slice"),
    ("power_deliveries.csv", "family"), ("power_plants.csv", "technology"),
    ("transmission.csv", "from_region"), ("transmission.csv", "to_region"), ("fiber_links.csv", "site_a"),
    ("fiber_links.csv", "site_b"), ("superclusters.csv", "site"),
}
"""Columns naming a row of another table (docs/inputs.md): an unknown id must be reported at its cell.
(power_plants.csv's region is not one: a plant in a region the scenario does not model is unavailable.)"""
ODD_TEXT = ["nosuch", "TX", "h100", "auto_1", "=1+1", 'quo"te', "line\nbreak", "x" * 5000, " padded ", "NULL", "TBD",
            "nan", "-", "0", "\u200b", "emoji \U0001f600"]
"""Unknown ids, ids of other rows, formula-like, quoted, multi-line, long, placeholder texts."""


@dataclass(frozen=True)
class Case:
    """One corruption: `file` gets content `data` (None deletes it)."""

    kind: str
    file: str
    what: str
    data: bytes | None
    cell: tuple[int, str] | None = None  # the (CSV line, column) changed
    must_fail: bool = False  # the file (or the cell, exactly) must be reported


# ----- the default, as text ------------------------------------------------------------------------


def _default_files() -> dict[str, bytes]:
    folder = default_scenario_dir()
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def _csv(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue().encode("utf-8")


def _field_kind(spec, column: str) -> tuple[str, bool]:
    """('number' | 'id' | 'text', required) of a column, from its row model."""
    f = spec.row_model.model_fields.get(column)
    if f is None:
        return "text", False
    ann = str(f.annotation)
    patterned = any(getattr(m, "pattern", None) for m in f.metadata)
    kind = "number" if ("float" in ann or "int" in ann) else ("id" if patterned else "text")
    return kind, f.is_required()


# ----- corruptions ---------------------------------------------------------------------------------


def _cell_case(rng: random.Random, name: str, rows: list[list[str]]) -> Case:
    spec = FILES[name]
    header, body = rows[0], rows[1:]
    r = rng.randrange(len(body))
    c = rng.randrange(len(header))
    col = header[c].strip()
    kind, required = _field_kind(spec, col)
    roll = rng.random()
    must = False
    if kind == "number":
        if roll < 0.45:
            value, must = rng.choice(NOT_A_NUMBER), True
        elif roll < 0.6:
            value, must = rng.choice(TOO_BIG), True
        elif roll < 0.7:
            value, must = rng.choice(["", "  "]), required
        elif roll < 0.8 and body[r][c].strip():
            value = body[r][c].strip() + rng.choice(["0000", "e9", "e-9"])  # the value scaled
        else:
            value = rng.choice(MAYBE_NUMBER)
        if "int" in str(spec.row_model.model_fields[col].annotation) and value in ("0.5", "1.5", "1e-300"):
            must = True  # an integer column refuses a fraction
    elif kind == "id":
        if roll < 0.3:
            value, must = rng.choice(BAD_ID), True
        elif roll < 0.45:
            value, must = rng.choice(["", "   "]), required
        elif roll < 0.7:
            other = rng.randrange(len(body))
            value = body[other][c]  # another row's id (a duplicate key, or a valid reference)
        else:
            value = rng.choice(ODD_TEXT)
            must = value == "nosuch" and (name, col) in REFERENCES
    else:
        if roll < 0.3:
            value, must = rng.choice(["", "   "] + INVISIBLE), required
        else:
            value = rng.choice(ODD_TEXT + MAYBE_NUMBER[:3] + NOT_A_NUMBER[:3])
            if col == "source":  # a placeholder, or a text with no letters, is no source
                must = value.strip().lower() in PLACEHOLDERS or not any(ch.isalpha() for ch in value)
    new = [list(x) for x in rows]
    while len(new[r + 1]) <= c:
        new[r + 1].append("")
    new[r + 1][c] = value
    line = r + 2
    return Case("cell", name, f"{name} line {line} {col} = {value[:40]!r}", _csv(new), (line, col), must)


def _row_case(rng: random.Random, name: str, rows: list[list[str]]) -> Case:
    spec = FILES[name]
    header, body = rows[0], rows[1:]
    op = rng.choice(["delete row", "duplicate row", "swap rows", "delete column", "rename column", "extra column",
                     "short row", "long row", "blank row", "header only", "reverse rows", "move column", "notes column",
                     "duplicate header"])
    new = [list(x) for x in rows]
    must = False
    r = rng.randrange(len(body)) + 1
    c = rng.randrange(len(header))
    col = header[c].strip()
    required = col in spec.row_model.model_fields and spec.row_model.model_fields[col].is_required()
    if op == "delete row":
        del new[r]
    elif op == "duplicate row":
        new.insert(r, list(new[r]))
        must = True  # a repeated key
    elif op == "swap rows":
        r2 = rng.randrange(len(body)) + 1
        new[r], new[r2] = new[r2], new[r]
    elif op == "delete column":
        new = [x[:c] + x[c + 1:] for x in new]
        must = required
    elif op == "rename column":
        new[0][c] = col + "_x"
        must = True  # an unknown column
    elif op == "extra column":
        new = [x + [v] for x, v in zip(new, ["surprise"] + ["1"] * len(body), strict=True)]
        must = True
    elif op == "notes column":
        new = [x + [v] for x, v in zip(new, ["notes"] + ["a note"] * len(body), strict=True)]
    elif op == "short row":
        new[r] = new[r][: max(1, c)]
    elif op == "long row":
        new[r] = new[r] + ["extra", "cells"]
        must = True  # more cells than columns
    elif op == "blank row":
        new.insert(r, [""] * len(header))
    elif op == "header only":
        new = new[:1]
        must = spec.required or name == "time_slices.csv"
    elif op == "reverse rows":
        new = new[:1] + new[1:][::-1]
    elif op == "move column":
        order = list(range(len(header)))
        rng.shuffle(order)
        new = [[x[i] if i < len(x) else "" for i in order] for x in new]
    elif op == "duplicate header":
        new = [x + [x[c] if c < len(x) else ""] for x in new]
        must = True
    return Case("row", name, f"{name}: {op} (row {r + 1}, column {col})", _csv(new), None, must)


def _bytes_case(rng: random.Random, name: str, data: bytes) -> Case:
    text = data.decode("utf-8-sig")
    op = rng.choice(["utf-16", "utf-16-le", "latin-1", "cp1252", "binary", "nul", "empty", "whitespace", "truncate",
                     "bom", "crlf", "delete", "gzip", "flip byte", "other table", "no header newline", "cr only"])
    must = True
    if op == "utf-16":
        out = text.encode("utf-16")
    elif op == "utf-16-le":
        out = text.encode("utf-16-le")
    elif op == "latin-1":
        out = text.replace(",", ",é", 1).encode("latin-1", errors="replace")
    elif op == "cp1252":
        out = text.replace(",", ",\u2019", 1).encode("cp1252", errors="replace")
    elif op == "binary":
        out = bytes(rng.randrange(256) for _ in range(rng.choice([16, 512, 4096])))
    elif op == "nul":
        k = rng.randrange(len(data))
        out = data[:k] + b"\x00" + data[k:]
    elif op == "empty":
        out = b""
    elif op == "whitespace":
        out = b" \n\t\n"
    elif op == "truncate":
        out, must = data[: rng.randrange(1, len(data))], False  # may cut between rows
    elif op == "bom":
        out, must = b"\xef\xbb\xbf" + data, False
    elif op == "crlf":
        out, must = data.replace(b"\n", b"\r\n"), False
    elif op == "cr only":
        out, must = data.replace(b"\n", b"\r"), False
    elif op == "delete":
        out, must = None, FILES[name].required
    elif op == "gzip":
        import gzip

        out = gzip.compress(data)
    elif op == "flip byte":
        k = rng.randrange(len(data))
        out, must = data[:k] + bytes([data[k] ^ 0x80]) + data[k + 1:], False  # often no longer UTF-8
    elif op == "other table":
        other = rng.choice([f for f in FILES if f != name and f in DEFAULT])
        out, must = DEFAULT[other], True  # its columns are unknown here
    else:  # "no header newline": the header row alone, without a line end
        out, must = data.split(b"\n", 1)[0], FILES[name].required
    return Case("file", name, f"{name}: {op}", out, None, must)


def _yaml_case(rng: random.Random) -> Case:
    base = DEFAULT["scenario.yaml"].decode()
    ops: dict[str, Callable[[], tuple[str | bytes, bool]]] = {
        "anchor": lambda: (base + "overrides: &a {planner_share.cowos: 0.5}\nsolver: *a\n", True),
        "alias bomb": lambda: ("name: bomb\nx: &a [1,1,1,1,1,1,1,1,1]\ny: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
                               "z: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nw: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n", True),
        "duplicate key": lambda: (base + "name: again\n", True),
        "dotted and nested": lambda: (base + "overrides:\n  planner_share.cowos: 0.5\n  planner_share:\n    cowos: 0.6\n", True),
        "repeated override": lambda: (base + "overrides:\n  planner_share.cowos: 0.5\n  planner_share.cowos: 0.6\n", True),
        "no name": lambda: ("\n".join(x for x in base.split("\n") if not x.startswith("name:")) + "\n", True),
        "name list": lambda: (base.replace("name: default", "name: [a, b]"), True),
        "name empty": lambda: (base.replace("name: default", "name:"), True),
        "name number": lambda: (base.replace("name: default", "name: 040"), False),
        "unknown key": lambda: (base + "nmae: typo\n", True),
        "overrides list": lambda: (base + "overrides: [1, 2]\n", True),
        "overrides scalar": lambda: (base + "overrides: 5\n", True),
        "unknown override": lambda: (base + "overrides:\n  no_such.param: 1\n", True),
        "bad override value": lambda: (base + f"overrides:\n  planner_share.cowos: {rng.choice(NOT_A_NUMBER[:8])}\n", True),
        "huge override": lambda: (base + f"overrides:\n  discount_rate: {rng.choice(TOO_BIG)}\n", True),
        "negative override": lambda: (base + "overrides:\n  planner_share.cowos: -0.5\n", True),
        "yes/no override": lambda: (base + f"overrides:\n  demand.use_growth: {rng.choice(['no', 'yes', 'on', 'off'])}\n", True),
        "octal-looking": lambda: (base + "overrides:\n  lead_time_years.shell: 040\n", True),
        "cell override": lambda: (base + f"overrides:\n  sites.abilene_tx.max_it_mw: {rng.choice(MAYBE_NUMBER + NOT_A_NUMBER[:4])}\n", False),
        "cell override unknown row": lambda: (base + "overrides:\n  sites.nowhere.max_it_mw: 5\n", True),
        "cell override bad column": lambda: (base + "overrides:\n  sites.abilene_tx.colour: 5\n", True),
        "base missing": lambda: (base + "base: ../no_such_folder\n", True),
        "base self": lambda: (base + "base: .\n", True),
        "solver list": lambda: (base + "solver: [1]\n", True),
        "solver unknown": lambda: (base + "solver:\n  no_such_option: 1\n", True),
        "solver bad value": lambda: (base + f"solver:\n  time_limit: {rng.choice(['-5', 'abc', 'nan', '[1]', 'x y'])}\n", True),
        "tabs": lambda: (base + "overrides:\n\tplanner_share.cowos: 0.5\n", True),
        "unclosed": lambda: (base + "overrides: {planner_share.cowos: 0.5\n", True),
        "top-level list": lambda: ("- name: a\n- name: b\n", True),
        "top-level scalar": lambda: ("just text\n", True),
        "deep nesting": lambda: (base + "overrides: " + "[" * 5000 + "]" * 5000 + "\n", True),
        "deep mapping": lambda: (base + "overrides: " + "{a: " * 2000 + "1" + "}" * 2000 + "\n", True),
        "empty": lambda: ("", True),
        "binary": lambda: (bytes(rng.randrange(256) for _ in range(300)), True),
        "utf-16": lambda: (base.encode("utf-16"), True),
        "latin-1": lambda: (base.replace("Bundled", "Bündled").encode("latin-1"), True),
        "tag": lambda: (base + "overrides:\n  planner_share.cowos: !!python/object/apply:os.system ['true']\n", True),
        "merge key": lambda: (base + "overrides:\n  <<: {planner_share.cowos: 0.5}\n", True),
        "complex key": lambda: (base + "overrides:\n  ? [a, b]\n  : 1\n", True),
        "description number": lambda: (base.replace("description: >-", "description: 5\nx: >-", 1), True),
        "null overrides": lambda: (base + "overrides:\n", False),
        "scope list": lambda: (base + "scope2: 1\n", True),
    }
    op = rng.choice(sorted(ops))
    text, must = ops[op]()
    data = text if isinstance(text, bytes) else text.encode("utf-8")
    return Case("yaml", "scenario.yaml", f"scenario.yaml: {op}", data, None, must)


DEFAULT = _default_files()


def make_cases(n: int, seed: int) -> list[Case]:
    """`n` seeded corruptions of the default: about half cell values, the rest rows and
    columns, whole files and scenario.yaml."""
    rng = random.Random(seed)
    tables = sorted(f for f in DEFAULT if f in FILES)
    parsed = {f: _rows(DEFAULT[f]) for f in tables}
    out = []
    for _ in range(n):
        roll = rng.random()
        name = rng.choice(tables)
        if roll < 0.5:
            out.append(_cell_case(rng, name, parsed[name]))
        elif roll < 0.7:
            out.append(_row_case(rng, name, parsed[name]))
        elif roll < 0.85:
            out.append(_bytes_case(rng, name, DEFAULT[name]))
        else:
            out.append(_yaml_case(rng))
    return out


# ----- running the cases ---------------------------------------------------------------------------


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.iterdir()}


def _known_file(name: str, folder: Path) -> bool:
    base = name.split(" (from base ")[0]
    return base in DEFAULT or base in FILES or name.startswith(str(folder)) or base.endswith(".csv")


def check_case(case: Case, folder: Path) -> tuple[str, list[str]]:
    """Load `folder` with `case` written in; ('accepted' | 'rejected', failures)."""
    target = folder / case.file
    if case.data is None:
        target.unlink()
    else:
        target.write_bytes(case.data)
    before = _snapshot(folder)
    fails: list[str] = []
    outcome = "rejected"
    try:
        load_scenario(folder)
        outcome = "accepted"
        if case.must_fail:
            fails.append("accepted, but this corruption must be reported")
    except InputError as e:
        problems = e.problems
        if not problems:
            fails.append("InputError with no problems")
        for p in problems:
            if not p.message.strip():
                fails.append(f"a problem with no message: {p!r}")
            if not _known_file(p.file, folder):
                fails.append(f"a problem naming no file of the scenario: {p}")
        if case.cell is not None and case.must_fail:
            line, col = case.cell
            if not any(p.file == case.file and p.row == line and p.column == col for p in problems):
                fails.append(f"no problem at {case.file}, row {line}, column '{col}'; got: {[str(p) for p in problems][:6]}")
        elif case.must_fail and not any(p.file.endswith(case.file) for p in problems):
            fails.append(f"no problem names {case.file}; got: {[str(p) for p in problems][:6]}")
    except Exception as e:  # noqa: BLE001 - any other exception is the defect being looked for
        import traceback

        outcome = "crashed"
        fails.append(f"{type(e).__name__}: {e}\n{traceback.format_exc(limit=-4)}")
    finally:
        if _snapshot(folder) != before:
            fails.append("the scenario folder changed while loading")
        if case.file in DEFAULT:
            target.write_bytes(DEFAULT[case.file])
        elif target.exists():
            target.unlink()
    return outcome, fails


@dataclass
class FuzzRun:
    cases: list[Case]
    outcomes: list[str]
    failures: list[tuple[Case, list[str]]]
    cpu_seconds: float

    def accepted(self) -> list[Case]:
        return [c for c, o in zip(self.cases, self.outcomes, strict=True) if o == "accepted"]


@pytest.fixture(scope="module")
def fuzz_run(tmp_path_factory) -> FuzzRun:
    folder = tmp_path_factory.mktemp("fuzz") / "default"
    shutil.copytree(default_scenario_dir(), folder)
    cases = make_cases(N_CASES, SEED)
    t0 = time.process_time()
    outcomes, failures = [], []
    for case in cases:
        outcome, fails = check_case(case, folder)
        outcomes.append(outcome)
        if fails:
            failures.append((case, fails))
    run = FuzzRun(cases, outcomes, failures, time.process_time() - t0)
    kinds = Counter((c.kind, o) for c, o in zip(cases, outcomes, strict=True))
    print(f"\nfuzz: {len(cases)} corruptions (seed {SEED}), {outcomes.count('accepted')} accepted, "
          f"{outcomes.count('rejected')} rejected, {outcomes.count('crashed')} crashed; "
          f"{run.cpu_seconds:.1f} s CPU; by kind: {dict(sorted(kinds.items()))}")
    return run


def test_every_corruption_is_accepted_or_a_clear_input_error(fuzz_run):
    assert len(fuzz_run.cases) >= min(N_CASES, 1000)
    report = "\n".join(f"- {c.what}:\n    " + "\n    ".join(f) for c, f in fuzz_run.failures[:15])
    assert not fuzz_run.failures, f"{len(fuzz_run.failures)} of {len(fuzz_run.cases)} corruptions mishandled:\n{report}"


def test_accepted_corruptions_solve_or_are_diagnosed(fuzz_run, tmp_path):
    """A small seeded sample of the accepted table corruptions (one of rows or whole files, the
    others of numeric cells): each solves to optimality or raises SolveError with a diagnosis,
    never another exception. The first is solved from scratch, the others re-solved on the same
    Plan (which rebuilds when the structure changed)."""
    rng = random.Random(SEED)
    structural = [c for c in fuzz_run.accepted() if c.kind in ("row", "file") and c.data is not None]
    cells = [c for c in fuzz_run.accepted() if c.cell and _field_kind(FILES[c.file], c.cell[1])[0] == "number"]
    assert structural and len(cells) >= N_SOLVES - 1
    sample = [rng.choice(structural), *rng.sample(cells, N_SOLVES - 1)]
    folder = tmp_path / "default"
    shutil.copytree(default_scenario_dir(), folder)
    plan = None
    for case in sample:
        assert case.data is not None
        (folder / case.file).write_bytes(case.data)
        scn = load_scenario(folder)
        try:
            if plan is None:
                plan = Plan(scn)
                res = plan.solve("key")
            else:
                res = plan.resolve(scn, "key")
            assert res.status == "Optimal", case.what
        except SolveError as e:
            assert e.diagnosis is not None or "time limit" in str(e), (case.what, str(e))
        (folder / case.file).write_bytes(DEFAULT[case.file])
    print(f"\nsolved: {[c.what for c in sample]}")


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run([sys.executable, "-m", "dcplan", *args], capture_output=True, text=True, env=env, cwd=ROOT)


def test_cli_on_a_corrupted_copy_exits_nonzero_without_traceback(tmp_path):
    """`dcplan validate` (in process) and `dcplan run` (a subprocess, as a user runs it) on a
    copy with an infinite year and a UTF-16 table: exit 1, both problems named, no traceback,
    nothing written to --out or the scenario folder."""
    from typer.testing import CliRunner

    from dcplan.cli import app

    folder = tmp_path / "scn"
    shutil.copytree(default_scenario_dir(), folder)
    rows = _rows(DEFAULT["supply.csv"])
    rows[3][rows[0].index("year")] = "inf"
    (folder / "supply.csv").write_bytes(_csv(rows))
    (folder / "gpus.csv").write_bytes(DEFAULT["gpus.csv"].decode().encode("utf-16"))
    before = _snapshot(folder)
    out = tmp_path / "out"
    v = CliRunner().invoke(app, ["validate", str(folder)])
    r = _cli("run", str(folder), "--out", str(out))
    for code, text in ((v.exit_code, v.output), (r.returncode, r.stdout + r.stderr)):
        assert code == 1, text
        assert "Traceback" not in text, text
        assert "supply.csv, row 4, column 'year'" in text, text
        assert "gpus.csv" in text and "UTF-8" in text, text
    assert not out.exists()
    assert _snapshot(folder) == before
