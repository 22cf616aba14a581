"""run.json: every results folder records what was run, on which inputs, with which software."""

from __future__ import annotations

import hashlib
import json

import yaml
from test_cli import write_tiny
from typer.testing import CliRunner

from dcplan.cli import app
from dcplan.results.record import read_run_record, run_record

runner = CliRunner()


def test_run_json_records_scenario_overrides_hashes_versions_and_phases(tmp_path):
    scn = write_tiny(tmp_path / "scn", {"discount_rate": 0.0})
    out = tmp_path / "out"
    r = runner.invoke(app, ["run", str(scn), "--out", str(out), "--set", "supply.2026.cowos_wafers_per_year=50"])
    assert r.exit_code == 0, r.output
    rec = json.loads((out / "run.json").read_text())
    assert rec["scenario"]["name"] == "tiny-on-disk"
    assert rec["scenario"]["folder"] == str(scn.resolve())
    # --set values are recorded as typed (text; parsed by the schema type of what they set, as in
    # scenario.yaml); parameters are recorded as parsed
    assert rec["overrides"]["sources"]["--set"] == {"supply.2026.cowos_wafers_per_year": "50"}
    assert rec["overrides"]["resolved"] == {"discount_rate": 0.0, "supply.2026.cowos_wafers_per_year": "50"}
    sites = scn.resolve() / "sites.csv"
    assert rec["inputs"][str(sites)] == hashlib.sha256(sites.read_bytes()).hexdigest()
    assert str(scn.resolve() / "scenario.yaml") in rec["inputs"]
    assert set(rec["versions"]) >= {"dcplan", "highs", "pyomo", "python"}
    assert set(rec["phase_seconds"]) >= {"load", "build", "solve", "write"}
    assert rec["started_at"].endswith("+00:00")
    assert read_run_record(out) == rec


def test_run_json_follows_the_base_chain(tmp_path):
    base = write_tiny(tmp_path / "base")
    child = tmp_path / "child"
    child.mkdir()
    (child / "scenario.yaml").write_text(yaml.safe_dump({"name": "child", "base": "../base"}))
    from dcplan import load_scenario

    rec = run_record(load_scenario(child))
    assert rec["scenario"]["bases"] == [str(base.resolve())]
    assert str(base.resolve() / "gpus.csv") in rec["inputs"]


def test_version_option():
    r = runner.invoke(app, ["--version"])
    assert r.exit_code == 0
    import dcplan

    assert r.output.startswith(f"dcplan {dcplan.__version__} (HiGHS ")
