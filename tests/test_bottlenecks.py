"""Bottleneck timeline on a hand-built case: CoWoS binds in 2027, transformers in 2029."""

from __future__ import annotations

import pytest
from helpers import shadow
from tiny import tiny

from dcplan import Plan

CASE = {
    "horizon.end_year": 2029,
    "demand.growth_per_year": 2,  # 1,000 / 2,000 / 4,000 / 8,000 H100e in 2026-2029
    "supply.2027.cowos_wafers_per_year": 150,  # 1,500 GPUs in 2027: 500 short
    "pipeline.s1.transformer.2020.capacity": 5,  # 5 MVA serves 5,000 GPUs (1 kW, PUE 1, 1 MVA/MW)
    "supply.*.transformer_mva_per_year": 0,
    "supply.2029.transformer_mva_per_year": 2,  # 2029: 7 MVA for 8,000 GPUs: 1,000 short
    "lifetime_years.transformer": 1,  # a transformer bought in one year serves that year only
    "capex_usd_per_kva.transformer": 100,  # $100,000 per MVA-year (life 1, r = 0)
}


@pytest.fixture(scope="module")
def res():
    return Plan(tiny(CASE)).solve()


def test_hand_built_case_objective(res):
    """2026: 1,000 GPUs = $1M. 2027: 1,500 GPUs + 500 unmet = $1.5M + $5M.
    2028: 4,000 GPUs = $4M. 2029: 7,000 GPUs + 1,000 unmet + 2 MVA = $7M + $10M + $0.2M.
    Total $28.7M."""
    assert res.objective_usd == pytest.approx(28_700_000, rel=1e-6)
    assert list(res.compute["unmet_h100e"].round(6)) == [0, 500, 0, 1000]


def test_bottleneck_table_names_cowos_2027_and_transformers_2029(res):
    """Exactly CoWoS in 2027 and transformers in 2029 bind (deliveries, and the site's
    transformer capacity they feed); nothing else in any year."""
    bt = res.bottlenecks
    binding = set(zip(bt.loc[bt["binding"], "family"], bt.loc[bt["binding"], "year"], strict=False))
    assert binding == {("cowos_supply", 2027), ("transformer_supply", 2029), ("transformer_capacity", 2029)}


def test_bottleneck_magnitudes_and_signs(res):
    """CoWoS 2027: one wafer = 10 GPUs x ($10,000 - $1,000) = $90,000 per wafer.
    Transformer deliveries 2029: 1 MVA = 1,000 GPUs x $9,000 - $100,000 = $8,900,000 per MVA.
    Site transformer capacity 2029 (capacity itself, free): $9,000,000 per MVA.
    Raw duals (d objective / d rhs, $M per LP unit) are negative for these <= limits:
    -90 per thousand wafers, -8.9 per MVA."""
    bt = res.bottlenecks.set_index(["family", "year"])
    assert bt.loc[("cowos_supply", 2027), "shadow_price_usd_per_unit"] == pytest.approx(90_000, rel=1e-6)
    assert bt.loc[("cowos_supply", 2027), "unit"] == "wafer"
    assert bt.loc[("transformer_supply", 2029), "shadow_price_usd_per_unit"] == pytest.approx(8_900_000, rel=1e-6)
    assert bt.loc[("transformer_capacity", 2029), "shadow_price_usd_per_unit"] == pytest.approx(9_000_000, rel=1e-6)
    assert bt.loc[("transformer_capacity", 2029), "where"] == "s1"
    assert shadow(res, "cowos_supply", 2027)["dual"] == pytest.approx(-90, rel=1e-6)
    assert shadow(res, "transformer_supply", 2029)["dual"] == pytest.approx(-8.9, rel=1e-6)
    for fam, year in [("cowos_supply", 2026), ("cowos_supply", 2028), ("cowos_supply", 2029), ("transformer_supply", 2029)]:
        assert shadow(res, fam, year)["dual"] <= 0


def test_cli_summary_names_the_top_binding_constraints(tmp_path):
    from test_cli import write_tiny
    from typer.testing import CliRunner

    from dcplan.cli import app

    r = CliRunner().invoke(app, ["run", str(write_tiny(tmp_path / "s", CASE)), "--out", str(tmp_path / "o")])
    assert r.exit_code == 0, r.output
    lines = [line for line in r.output.splitlines() if "cowos_supply" in line or "transformer_supply" in line]
    assert any("2027" in line and "cowos_supply" in line and "90,000 / wafer" in line for line in lines)
    assert any("2029" in line and "transformer_supply" in line for line in lines)


def test_each_unit_is_coloured_on_its_own_scale():
    """$/wafer values 10 and 100 and one $/MW value of 1,000,000: each unit's top value gets the
    darkest colour (1.0 on its scale), so a $1M/MW cell does not wash out the $/wafer row."""
    import pandas as pd

    from dcplan.reports.plots import unit_norms

    tl = pd.DataFrame({
        "family": ["cowos_supply", "cowos_supply", "interconnection_cap"], "year": [2026, 2027, 2026],
        "unit": ["wafer", "wafer", "MW"], "binding": [True, True, True], "shadow_price_usd_per_unit": [10.0, 100.0, 1e6],
    })
    n = unit_norms(tl)
    assert float(n["wafer"](100.0)) == pytest.approx(1.0) and float(n["wafer"](10.0)) == pytest.approx(0.0)
    assert float(n["MW"](1e6)) == pytest.approx(1.0)
