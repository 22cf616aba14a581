"""What-if: relaxing a binding constraint saves money; relaxing a slack one changes nothing."""

from __future__ import annotations

import pytest
from tiny import tiny
from typer.testing import CliRunner

from dcplan import InputError
from dcplan.cli import app
from dcplan.analysis import parse_change, what_if


def test_relaxing_a_binding_constraint_reduces_cost():
    """CoWoS capped at 50 wafers ($5.5M, 500 unmet). CoWoS +20% = 60 wafers = 600 GPUs:
    cost 600 x $1,000 + 400 x $10,000 = $4.6M, so -$900,000; 100 fewer H100e unmet."""
    w = what_if(tiny({"supply.2026.cowos_wafers_per_year": 50}), "cowos +20%")
    assert w.overrides["supply.2026.cowos_wafers_per_year"] == pytest.approx(60)
    assert w.objective_change_usd == pytest.approx(-900_000)
    d = w.delta.set_index("year").loc[2026]
    assert d["unmet_h100e_change"] == pytest.approx(-100)
    assert d["online_h100e_change"] == pytest.approx(100)
    assert d["cost_usd_change"] == pytest.approx(-900_000)


def test_relaxing_a_slack_constraint_changes_nothing():
    """HBM is far from binding in the tiny case: +50% changes no cost, compute or unmet."""
    w = what_if(tiny({"supply.2026.cowos_wafers_per_year": 50}), "hbm +50%")
    assert w.objective_change_usd == pytest.approx(0, abs=1e-6)
    assert (w.delta.filter(like="_change").abs() < 1e-6).all().all()


def test_lead_time_what_if_rebuilds_and_brings_capacity_forward():
    """Shell lead time 2 -> 1 (horizon 2026-2028, as in the lead-time test): 2027 is now served.
    Base $21.1M; variant: 2026 unmet ($10M) + GPUs 2027-28 ($2M) + shell online 2027-28 ($0.2M)."""
    scn = tiny({"horizon.end_year": 2028, "lead_time_years.shell": 2, "capex_usd_per_kw.shell": 1000}, drop_pipeline=("shell",))
    w = what_if(scn, "shell_lead_time -1 year")
    assert w.base.objective_usd == pytest.approx(21_100_000)
    assert w.variant.objective_usd == pytest.approx(12_200_000)
    assert list(w.delta["unmet_h100e_change"].round(6)) == [0, -1000, 0]


@pytest.mark.parametrize(
    "text,op,amount",
    [("cowos +20%", "mul", 1.2), ("cowos -10%", "mul", 0.9), ("turbine_lead_time -2 years", "add", -2),
     ("supply.*.hbm_stacks_per_year *1.5", "mul", 1.5), ("regions.TX.headroom_mw_start =5000", "set", 5000)],
)
def test_parse_change(text, op, amount):
    c = parse_change(text)
    assert c.op == op and c.amount == pytest.approx(amount)


@pytest.mark.parametrize("text", ["cowos", "cowos +", "nonsense +20%", "cowos ^2"])
def test_parse_change_rejects_bad_input(text):
    with pytest.raises(InputError):
        parse_change(text)


def test_cli_what_if_flag(tmp_path):
    from test_cli import write_tiny

    scn = write_tiny(tmp_path / "scn", {"supply.2026.cowos_wafers_per_year": 50})
    r = CliRunner().invoke(app, ["run", str(scn), "--out", str(tmp_path / "out"), "--what-if", "cowos +20%"])
    assert r.exit_code == 0, r.output
    assert "what-if 'cowos +20%'" in r.output and "-0.00 bn" in r.output
    assert (tmp_path / "out" / "what_if.parquet").is_file()
    bad = CliRunner().invoke(app, ["run", str(scn), "--out", str(tmp_path / "o2"), "--what-if", "cowoz +20%"])
    assert bad.exit_code == 1 and not (tmp_path / "o2").exists()
