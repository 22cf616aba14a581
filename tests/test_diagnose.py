"""Infeasible scenarios get a diagnosis naming the constraint families, years and amounts."""

from __future__ import annotations

import pandas as pd
import pytest
from tiny import SRC, tiny
from typer.testing import CliRunner

from dcplan import Plan, SolveError
from dcplan.cli import app


def infeasible(scn) -> SolveError:
    with pytest.raises(SolveError) as e:
        Plan(scn).solve()
    assert e.value.diagnosis is not None
    return e.value


def amounts(df: pd.DataFrame, family: str) -> dict:
    g = df[df["family"] == family]
    return {(r.key, int(r.year)): r.amount for r in g.itertuples()}


def test_hard_target_before_shells_can_exist():
    """Hard target 1,000 H100e every year of 2026-2028, no shell pipeline, shell lead time 2:
    nothing can be online in 2026-27. Shortfall: 1,000 H100e in each of 2026 and 2027. To meet
    the target, shell capacity at s1 must give 1 MW in 2026 and in 2027 (1,000 GPUs x 1 kW)."""
    e = infeasible(tiny({"horizon.end_year": 2028, "lead_time_years.shell": 2, "demand.hard_target": 1}, drop_pipeline=("shell",)))
    d = e.diagnosis
    assert amounts(d.shortfall, "demand_balance") == {("", 2026): pytest.approx(1000), ("", 2027): pytest.approx(1000)}
    assert amounts(d.violations, "shell_capacity") == {("s1", 2026): pytest.approx(1), ("s1", 2027): pytest.approx(1)}
    assert set(d.iis[d.iis["kind"] == "row"]["family"]) == {"demand_balance", "shell_capacity"}
    msg = str(e)
    assert "demand_balance" in msg and "shell_capacity" in msg and "s1 2026: 1 MW" in msg
    assert "lead_time_years.shell" in msg  # the hint points at what to change


def test_hard_target_above_cowos_supply():
    """Horizon 2026-2027, CoWoS expansion takes a year, 2026 CoWoS = 50 wafers = 500 GPUs:
    the 2026 target is 500 H100e short and CoWoS must give 50 wafers in 2026."""
    e = infeasible(
        tiny({"horizon.end_year": 2027, "lead_time_years.cowos_expansion": 1, "lead_time_years.hbm_expansion": 1,
              "supply.2026.cowos_wafers_per_year": 50, "demand.hard_target": 1})
    )
    d = e.diagnosis
    assert amounts(d.shortfall, "demand_balance") == {("", 2026): pytest.approx(500)}
    assert amounts(d.violations, "cowos_supply") == {("", 2026): pytest.approx(50)}
    assert "cowos_supply" in set(d.iis["family"])


def test_pipeline_gpus_that_must_run_exceed_the_regional_cap():
    """1,000 GPUs (1 MW) already installed must run, but Texas can serve only 0.6 MW of large
    load: 400 GPUs cannot run (shortfall), or the headroom must give 0.4 MW in 2026."""
    gp = pd.DataFrame([{"site": "s1", "generation": "g1", "install_year": 2026, "gpus": 1000, **SRC}])
    e = infeasible(
        tiny({"operations.pipeline_gpus_must_run": 1, "regions.TX.headroom_mw_start": 0.6}, gpu_pipeline=gp)
    )
    d = e.diagnosis
    assert amounts(d.shortfall, "gpu_must_run") == {("g1 s1", 2026): pytest.approx(400)}
    assert amounts(d.violations, "regional_headroom") == {("TX", 2026): pytest.approx(0.4)}
    assert "regional_headroom" in str(e) and "TX 2026: 0.4 MW" in str(e)


def test_cli_prints_the_diagnosis_and_exits_non_zero(tmp_path):
    from test_cli import write_tiny

    scn = write_tiny(tmp_path / "scn", {"supply.2026.cowos_wafers_per_year": 50})
    # no instant CoWoS expansion: a 2-year horizon with a 1-year expansion lead time
    r = CliRunner().invoke(
        app,
        ["run", str(scn), "--out", str(tmp_path / "out"), "--set", "demand.hard_target=1", "--set", "horizon.end_year=2027",
         "--set", "lead_time_years.cowos_expansion=1", "--set", "lead_time_years.hbm_expansion=1"],
    )
    assert r.exit_code == 3
    assert "cowos_supply" in r.output and "2026: 50 wafer" in r.output
    assert "Traceback" not in r.output
