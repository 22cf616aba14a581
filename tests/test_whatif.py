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


# ----- the grammar: --set style, units, several changes, negative values (docs/results.md) -----


@pytest.mark.parametrize(
    "text,op,amount",
    [("supply.2026.cowos_wafers_per_year*=1.2", "mul", 1.2), ("supply.2026.cowos_wafers_per_year+=10", "add", 10),
     ("supply.2026.cowos_wafers_per_year-=10", "add", -10), ("supply.2026.cowos_wafers_per_year=60", "set", 60),
     ("cowos +20 percent", "mul", 1.2), ("interconnection +1 GW", "add", 1000), ("headroom -500 MW", "add", -500),
     ("planner_share.cowos=70%", "set", 0.7), ("power_price.escalation_per_year =-0.01", "set", -0.01),
     ("power_price.escalation_per_year=-0.01", "set", -0.01), ("turbine_lead_time -1 year", "add", -1)],
)
def test_parse_change_set_style_and_units(text, op, amount):
    c = parse_change(text)
    assert (c.op, c.amount) == (op, pytest.approx(amount))


@pytest.mark.parametrize(
    "text,phrase",
    [("cowos +20 bananas", "unit 'bananas' does not fit: 'cowos' takes a plain number; units allowed: %"),
     ("headroom +1 year", "unit 'year' does not fit: 'headroom' is in MW; units allowed: %, mw, gw, kw"),
     ("cowos *20%", "ambiguous; write '+20%' to scale up by 20% or '*1.2'"),
     ("interconnection *2 GW", "a factor has no unit")],
)
def test_bad_units_are_clear_errors(text, phrase):
    with pytest.raises(InputError) as e:
        parse_change(text)
    assert phrase in str(e.value)


def test_several_changes_at_once():
    """CoWoS capped at 50 wafers; '+20%' then '+=10' on the same cell: 50 x 1.2 + 10 = 70 wafers,
    700 GPUs: 700 x $1,000 + 300 unmet x $10,000 = $3.7M."""
    scn = tiny({"supply.2026.cowos_wafers_per_year": 50})
    w = what_if(scn, "cowos +20%; supply.2026.cowos_wafers_per_year+=10")
    assert w.overrides["supply.2026.cowos_wafers_per_year"] == pytest.approx(70)
    assert w.variant.objective_usd == pytest.approx(3_700_000)


def test_what_if_on_a_reused_plan_compares_with_the_true_base():
    """Two what-ifs on one plan: the second's base is the scenario ($5.5M), not the first's variant."""
    from dcplan import Plan

    scn = tiny({"supply.2026.cowos_wafers_per_year": 50})
    plan = Plan(scn)
    what_if(scn, "cowos +20%", plan=plan)
    w2 = what_if(scn, "hbm +50%", plan=plan)
    assert w2.base.objective_usd == pytest.approx(5_500_000)
    assert w2.objective_change_usd == pytest.approx(0, abs=1e-6)


def test_cli_refuses_an_invalid_variant_before_writing(tmp_path):
    """A lead time of 0 - 5 years is out of range: exit 1 naming the what-if, no solve, no folder."""
    from test_cli import write_tiny

    scn = write_tiny(tmp_path / "scn")
    r = CliRunner().invoke(app, ["run", str(scn), "--out", str(tmp_path / "out"), "--what-if", "turbine_lead_time -5 years"])
    assert r.exit_code == 1
    assert "what-if 'turbine_lead_time -5 years'" in r.output and "lead_time_years.gas_turbine" in r.output
    assert "compute by year" not in r.output and sorted(p.name for p in tmp_path.iterdir()) == ["scn"]


def test_cli_several_what_ifs_each_in_its_folder(tmp_path):
    import pandas as pd
    from test_cli import write_tiny

    scn = write_tiny(tmp_path / "scn", {"supply.2026.cowos_wafers_per_year": 50})
    out = tmp_path / "out"
    r = CliRunner().invoke(app, ["run", str(scn), "--out", str(out), "--what-if", "cowos +20%", "--what-if", "cowos=80"])
    assert r.exit_code == 0, r.output
    d = pd.read_parquet(out / "what_if.parquet")
    assert list(d["what_if"]) == ["cowos +20%", "cowos=80"]
    assert list(d["unmet_h100e_change"]) == [pytest.approx(-100), pytest.approx(-300)]
    import json

    assert json.loads((out / "what_if" / "2" / "summary.json").read_text())["unmet_h100e"]["2026"] == pytest.approx(200)
    rec = json.loads((out / "run.json").read_text())
    assert rec["overrides"]["sources"]["what-if 2"]["change"] == "cowos=80"
