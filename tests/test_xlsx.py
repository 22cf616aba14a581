"""`--format xlsx`: one workbook, a sheet per results table, read back by read_results."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest
from test_cli import write_tiny
from typer.testing import CliRunner

import dcplan
from dcplan.cli import app
from dcplan.results.results import TABLE_NAMES

runner = CliRunner()


def test_xlsx_is_one_workbook_with_a_sheet_per_table(tmp_path):
    """The tiny case with CoWoS at 50 wafers: 500 H100e online, 500 unmet."""
    scn = write_tiny(tmp_path / "scn", {"supply.2026.cowos_wafers_per_year": 50})
    out = tmp_path / "out"
    r = runner.invoke(app, ["run", str(scn), "--out", str(out), "--format", "xlsx"])
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in out.iterdir()) == ["results.xlsx", "run.json", "summary.json"]
    book = openpyxl.load_workbook(out / "results.xlsx", read_only=True)
    assert book.sheetnames == list(TABLE_NAMES)
    compute = pd.read_excel(out / "results.xlsx", sheet_name="compute")
    assert compute.loc[0, "online_h100e"] == pytest.approx(500) and compute.loc[0, "unmet_h100e"] == pytest.approx(500)
    loaded = dcplan.read_results(out)
    assert loaded.costs["cost_pv_usd"].sum() == pytest.approx(5_500_000)


def test_unknown_format_is_refused_before_solving(tmp_path):
    scn = write_tiny(tmp_path / "scn")
    r = runner.invoke(app, ["run", str(scn), "--out", str(tmp_path / "out"), "--format", "xls"])
    assert r.exit_code == 2
    assert "--format must be one of parquet, csv, xlsx, got 'xls'; nothing was written" in r.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scn"]
