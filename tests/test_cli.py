"""The command line: `dcplan run` writes its files; `dcplan validate` checks without solving."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from tiny import tiny_tables
from typer.testing import CliRunner

from dcplan.cli import app
from dcplan.results.results import TABLE_NAMES

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def write_tiny(folder: Path, overrides: dict | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, df in tiny_tables().items():
        df.to_csv(folder / f"{name}.csv", index=False)
    (folder / "scenario.yaml").write_text(yaml.safe_dump({"name": "tiny-on-disk", "overrides": overrides or {}}))
    return folder


def test_run_writes_tables_and_summary(tmp_path):
    """The tiny scenario with CoWoS capped at 50 wafers: $5.5M, 500 H100e online, 500 unmet."""
    scn = write_tiny(tmp_path / "scn", {"supply.2026.cowos_wafers_per_year": 50})
    out = tmp_path / "out"
    r = runner.invoke(app, ["run", str(scn), "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "cowos_supply" in r.output  # the summary names the binding constraint
    for name in TABLE_NAMES:
        assert (out / f"{name}.parquet").is_file()
    s = json.loads((out / "summary.json").read_text())
    assert s["status"] == "Optimal"
    assert s["objective_usd"] == pytest.approx(5_500_000)
    assert s["compute_online_h100e"] == {"2026": pytest.approx(500)}
    assert s["unmet_h100e"] == {"2026": pytest.approx(500)}
    assert s["top_binding_constraints"]["2026"][0]["family"] == "cowos_supply"
    caps = pd.read_parquet(out / "capacity.parquet")
    assert {"site", "asset", "year", "built", "online"} <= set(caps.columns)


def test_run_csv_and_set_override(tmp_path):
    scn = write_tiny(tmp_path / "scn")
    out = tmp_path / "out"
    r = runner.invoke(app, ["run", str(scn), "--out", str(out), "--format", "csv", "--set", "supply.2026.cowos_wafers_per_year=50"])
    assert r.exit_code == 0, r.output
    compute = pd.read_csv(out / "compute.csv")
    assert compute["unmet_h100e"].iloc[0] == pytest.approx(500)


def test_validate_ok(tmp_path):
    r = runner.invoke(app, ["validate", str(write_tiny(tmp_path / "scn"))])
    assert r.exit_code == 0, r.output
    assert "ok" in r.output


def test_installed_entry_point_runs_from_any_directory(tmp_path):
    """`python -m dcplan validate` with no scenario finds the bundled default from anywhere."""
    r = subprocess.run([sys.executable, "-m", "dcplan", "validate"], cwd=tmp_path, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "scenario 'default'" in r.stdout


def test_ci_runs_the_readme_test_command():
    readme_head = "\n".join((ROOT / "README.md").read_text().splitlines()[:6])
    ci = (ROOT / ".ci" / "run").read_text().strip().splitlines()[-1]
    assert ci in readme_head


def test_every_subcommand_is_registered():
    """The app has each subcommand; they are registered explicitly, not found at import time."""
    import typer.main

    names = set(typer.main.get_command(app).commands)
    assert {"run", "validate", "report", "largest-run"} <= names


def test_a_subcommand_that_fails_to_import_is_an_error_not_a_missing_command():
    """With one subcommand module unimportable, importing the CLI fails loudly (before, the
    `report` and `largest-run` commands silently disappeared from `dcplan --help`)."""
    code = (
        "import sys; sys.modules['dcplan.cli.report'] = None\n"
        "try:\n    import dcplan.cli\nexcept ImportError as e:\n    print('ImportError', e)\nelse:\n    print('imported')\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                       env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert r.stdout.startswith("ImportError"), r.stdout + r.stderr
