"""Command-line output: logging to stderr, -v/-q, solver options, nothing from HiGHS on stdout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_cli import write_tiny
from typer.testing import CliRunner

from dcplan.cli import app

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


@pytest.fixture(scope="module")
def scn(tmp_path_factory):
    return write_tiny(tmp_path_factory.mktemp("cli_output") / "scn")


def dcplan(*args, cwd):
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run([sys.executable, "-m", "dcplan", *map(str, args)], cwd=cwd, capture_output=True, text=True, env=env, check=False)


def test_nothing_from_highs_on_stdout_unless_asked(tmp_path, scn):
    """A real process (HiGHS prints its banner with C printf): stdout holds dcplan's tables only;
    --solver-log - puts HiGHS's log on stderr, still not stdout."""
    r = dcplan("run", scn, "--out", tmp_path / "a", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "HiGHS" not in r.stdout and "compute by year" in r.stdout
    r = dcplan("run", scn, "--out", tmp_path / "b", "--solver-log", "-", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "HiGHS" not in r.stdout
    assert "Model status" in r.stderr


def test_solver_log_to_a_file_threads_and_record(tmp_path, scn):
    log = tmp_path / "highs.log"
    out = tmp_path / "out"
    r = runner.invoke(app, ["run", str(scn), "--out", str(out), "--solver-log", str(log), "--threads", "1", "--time-limit", "60"])
    assert r.exit_code == 0, r.output
    assert "Model status" in log.read_text()
    rec = json.loads((out / "run.json").read_text())
    assert rec["solver_options"] == {"threads": 1, "time_limit": 60.0, "solver_log": str(log)}


def test_time_limit_reached_is_explained_and_writes_nothing(tmp_path, scn):
    r = runner.invoke(app, ["run", str(scn), "--out", str(tmp_path / "out"), "--time-limit", "0"])
    assert r.exit_code == 3
    assert "Time limit reached" in r.output and "raise --time-limit" in r.output
    assert list(tmp_path.iterdir()) == []


def test_bad_threads_is_refused_before_anything(tmp_path, scn):
    r = runner.invoke(app, ["run", str(scn), "--out", str(tmp_path / "out"), "--threads", "0"])
    assert r.exit_code == 2
    assert "--threads" in r.output and "greater than or equal to 1" in r.output
    assert list(tmp_path.iterdir()) == []


def test_quiet_and_verbose(tmp_path, scn):
    q = runner.invoke(app, ["run", str(scn), "--out", str(tmp_path / "q"), "-q"])
    assert q.exit_code == 0, q.output
    assert "compute by year" not in q.output and "built the LP" not in q.output
    assert q.output.strip().splitlines()[-1].startswith("wrote ")
    v = runner.invoke(app, ["run", str(scn), "--out", str(tmp_path / "v"), "-v"])
    assert v.exit_code == 0, v.output
    assert "built the LP of 'tiny-on-disk'" in v.output and "solved 'tiny-on-disk': Optimal" in v.output
    assert "compute by year" in v.output
    plain = runner.invoke(app, ["run", str(scn), "--out", str(tmp_path / "p")])
    assert "built the LP" not in plain.output  # detail only with -v
