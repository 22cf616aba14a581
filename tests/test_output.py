"""Safe results folders: --out checked before solving, staged and swapped in whole, locked."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from test_cli import write_tiny
from typer.testing import CliRunner

from dcplan.cli import app
from dcplan.errors import OutputError
from dcplan.results.output import OutputFolder, check_out_dir

runner = CliRunner()


def listing(folder):
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


@pytest.fixture(scope="module")
def scn(tmp_path_factory):
    return write_tiny(tmp_path_factory.mktemp("output") / "scn")


def test_out_is_a_file_fails_before_solving(tmp_path, scn):
    f = tmp_path / "results"
    f.write_text("mine")
    before = listing(tmp_path)
    r = runner.invoke(app, ["run", str(scn), "--out", str(f)])
    assert r.exit_code == 2
    assert "is an existing file, not a folder" in r.output and "nothing was written" in r.output
    assert "compute by year" not in r.output  # no solve happened
    assert listing(tmp_path) == before and f.read_text() == "mine"


def test_out_under_a_file_fails(tmp_path, scn):
    (tmp_path / "f").write_text("x")
    r = runner.invoke(app, ["run", str(scn), "--out", str(tmp_path / "f" / "res")])
    assert r.exit_code == 2
    assert "is a file, so the folder cannot be created" in r.output
    assert listing(tmp_path) == ["f"]


def test_out_refuses_a_folder_dcplan_did_not_write(tmp_path, scn):
    d = tmp_path / "docs"
    d.mkdir()
    (d / "memo.txt").write_text("keep me")
    r = runner.invoke(app, ["run", str(scn), "--out", str(d)])
    assert r.exit_code == 2
    assert "not a dcplan results folder" in r.output
    assert listing(tmp_path) == ["docs", "docs/memo.txt"]


def test_rerun_replaces_the_whole_folder(tmp_path, scn):
    """A stale what_if.parquet, and Parquet tables under a --format csv rerun, do not survive."""
    out = tmp_path / "out"
    assert runner.invoke(app, ["run", str(scn), "--out", str(out)]).exit_code == 0
    (out / "what_if.parquet").write_bytes(b"stale")
    r = runner.invoke(app, ["run", str(scn), "--out", str(out), "--format", "csv"])
    assert r.exit_code == 0, r.output
    names = {p.name for p in out.iterdir()}
    assert "what_if.parquet" not in names and not any(n.endswith(".parquet") for n in names)
    assert "compute.csv" in names and "summary.json" in names
    assert listing(tmp_path) == ["out", *(f"out/{n}" for n in sorted(names))]  # no staging or lock left


def test_a_failure_while_writing_leaves_the_previous_folder(tmp_path, scn, monkeypatch):
    out = tmp_path / "out"
    assert runner.invoke(app, ["run", str(scn), "--out", str(out)]).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    from dcplan.results.results import Results

    real = Results.write_into

    def half_then_die(self, folder, fmt="parquet"):
        real(self, folder, fmt)
        raise KeyboardInterrupt  # as if Ctrl-C arrived after the tables were written

    monkeypatch.setattr(Results, "write_into", half_then_die)
    r = runner.invoke(app, ["run", str(scn), "--out", str(out), "--set", "supply.2026.cowos_wafers_per_year=50"])
    assert r.exit_code != 0
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert listing(tmp_path) == ["out", *(f"out/{n}" for n in sorted(before))]


def test_a_killed_run_is_cleaned_up_by_the_next(tmp_path, scn):
    """A run killed mid-swap leaves the old folder at .out.old-*: the next run restores and
    replaces it; staging folders of killed runs are removed."""
    out = tmp_path / "out"
    assert runner.invoke(app, ["run", str(scn), "--out", str(out)]).exit_code == 0
    out.rename(tmp_path / ".out.old-abc")
    (tmp_path / ".out.tmp-xyz").mkdir()
    (tmp_path / ".out.tmp-xyz" / "compute.parquet").write_bytes(b"partial")
    with OutputFolder(out) as stage:
        assert out.is_dir() and (out / "summary.json").is_file()  # the previous results are back
        (stage / "summary.json").write_text("{}")
    assert listing(tmp_path) == ["out", "out/summary.json"]


def test_second_run_into_a_locked_folder_fails(tmp_path, scn):
    out = tmp_path / "out"
    with OutputFolder(out):
        r = runner.invoke(app, ["run", str(scn), "--out", str(out)])
        assert r.exit_code == 2
        assert "another dcplan run is writing this folder" in r.output
        assert not out.exists()
    assert listing(tmp_path) == ["out"]  # only the holder's (empty) folder; no lock file left


def test_results_write_is_safe_too(tmp_path):
    from dcplan import Plan
    from tiny import tiny

    res = Plan(tiny()).solve()
    out = tmp_path / "r"
    paths = res.write(out, "csv")
    assert all(p.parent == out and p.is_file() for p in paths)
    assert json.loads((out / "summary.json").read_text())["status"] == "Optimal"
    assert pd.read_csv(out / "compute.csv")["online_h100e"].iloc[0] == pytest.approx(1000)
    with pytest.raises(OutputError, match="existing file"):
        check_out_dir(out / "summary.json")
