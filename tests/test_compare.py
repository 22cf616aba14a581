"""`dcplan compare` / `dcplan.compare`: runs side by side and their differences, one HTML page."""

from __future__ import annotations

import subprocess

import pytest
from test_cli import write_tiny
from test_reports import _chromium_cmd
from typer.testing import CliRunner

import dcplan
from dcplan.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    """The tiny case (1,000 GPUs at $1,000: plan cost $1M, nothing unmet) and the same with CoWoS
    capped at 50 wafers (500 GPUs: plan cost $0.5M, 500 H100e unmet at $10,000 = $5M unserved)."""
    d = tmp_path_factory.mktemp("compare")
    scn = write_tiny(d / "scn")
    for name, extra in (("base", []), ("cowos50", ["--set", "supply.2026.cowos_wafers_per_year=50"])):
        r = runner.invoke(app, ["run", str(scn), "--out", str(d / name), *extra])
        assert r.exit_code == 0, r.output
    return d / "base", d / "cowos50"


def test_compare_tables_hold_each_run_and_its_difference(two_runs):
    c = dcplan.compare(list(two_runs))
    assert c.runs == ["tiny-on-disk (base)", "tiny-on-disk (cowos50)"]
    k = c.key_figures.set_index("run")
    v = k.loc["tiny-on-disk (cowos50)"]
    assert k.loc["tiny-on-disk (base)", "plan_cost_usd"] == pytest.approx(1_000_000)
    assert v["plan_cost_usd"] == pytest.approx(500_000) and v["unserved_value_usd"] == pytest.approx(5_000_000)
    assert v["plan_cost_usd_change"] == pytest.approx(-500_000)
    assert v["online_h100e_last_year_change"] == pytest.approx(-500)
    y = c.by_year.set_index(["run", "metric", "year"])
    assert y.loc[("tiny-on-disk (cowos50)", "unmet_h100e", 2026), "change"] == pytest.approx(500)
    assert y.loc[("tiny-on-disk (cowos50)", "unserved_value_usd", 2026), "value"] == pytest.approx(5_000_000)
    costs = c.costs.set_index(["run", "category"])
    assert costs.loc[("tiny-on-disk (cowos50)", "unmet_demand_penalty"), "penalty"]
    assert costs.loc[("tiny-on-disk (cowos50)", "gpu_capex"), "change"] == pytest.approx(-500_000)
    b = c.binding
    cw = b[b["run"] == "tiny-on-disk (cowos50)"]
    assert len(cw) and not cw["in_reference"].any()  # CoWoS binds only in the capped run


def test_compare_accepts_results_objects(two_runs):
    from tiny import tiny

    res = dcplan.Plan(tiny({"supply.2026.cowos_wafers_per_year": 80})).solve()
    c = dcplan.compare([two_runs[0], res])
    assert c.key_figures.loc[1, "online_h100e_last_year_change"] == pytest.approx(-200)


def test_cli_compare_writes_one_self_contained_page(two_runs, tmp_path):
    out = tmp_path / "cmp" / "compare.html"
    r = runner.invoke(app, ["compare", *map(str, two_runs), "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "plan cost $0.0 bn, unserved $0.0 bn" in r.output
    page = out.read_text()
    assert "Key figures" in page and "Binding constraints" in page and "(penalty, not spending)" in page
    assert "http://" not in page and "https://" not in page  # nothing fetched
    assert page.count("data:image/png;base64,") == 1
    dom = subprocess.run(_chromium_cmd(tmp_path, "cmp") + ["--enable-logging=stderr", "--dump-dom", out.resolve().as_uri()],
                         capture_output=True, text=True, timeout=180, check=False)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert not [ln for ln in dom.stderr.splitlines() if "CONSOLE" in ln and "rror" in ln]
    assert dom.stdout.count("<section") == 5 and "tiny-on-disk (cowos50) − tiny-on-disk (base)" in dom.stdout


def test_cli_compare_bad_input_writes_nothing(two_runs, tmp_path):
    out = tmp_path / "c.html"
    r = runner.invoke(app, ["compare", str(two_runs[0]), str(tmp_path / "nope"), "--out", str(out)])
    assert r.exit_code == 1 and "does not exist" in r.output and "nothing was written" in r.output
    r = runner.invoke(app, ["compare", str(two_runs[0]), "--out", str(out)])
    assert r.exit_code == 2 and "at least two" in r.output
    r = runner.invoke(app, ["compare", *map(str, two_runs), "--out", str(tmp_path)])
    assert r.exit_code == 2 and "expected an HTML file path" in r.output
    assert list(tmp_path.iterdir()) == []
