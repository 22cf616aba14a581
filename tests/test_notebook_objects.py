"""Notebook-friendly objects: figures display inline without %matplotlib inline, short reprs and
HTML summaries of Scenario and Results, dcplan.read_results at the top level."""

from __future__ import annotations

import pytest
from IPython.core.interactiveshell import InteractiveShell
from test_cli import write_tiny
from tiny import tiny
from typer.testing import CliRunner

import dcplan
from dcplan.cli import app
from dcplan.reports.plots import FIGURES


@pytest.fixture(scope="module")
def res():
    return dcplan.Plan(tiny({"supply.2026.cowos_wafers_per_year": 50})).solve()


def formats(obj) -> dict:
    data, _ = InteractiveShell.instance().display_formatter.format(obj)
    return data


def test_every_plot_displays_as_a_png_without_the_magic(res):
    for name, fn in FIGURES.items():
        data = formats(fn(res))
        assert data.get("image/png", b"")[:8] == b"\x89PNG\r\n\x1a\n", name


def test_results_repr_is_one_short_line_with_the_split(res):
    """500 GPUs at $1,000 = $0.0005bn plan cost; 500 H100e unmet x $10,000 = $0.005bn unserved."""
    text = repr(res)
    assert len(text) < 200 and "\n" not in text
    assert text == ("<Results 'tiny': Optimal, plan cost $0.00bn + unserved demand $0.01bn (PV); "
                    "2026: 0.00M H100e online, 0.00M unmet>")
    page = formats(res)["text/html"]
    assert len(page) < 5000 and "top binding constraint" in page and "CoWoS" in page


def test_scenario_repr_and_html():
    scn = tiny({"discount_rate": 0.0})
    assert repr(scn) == "<Scenario 'tiny': 2026-2026, 1 sites in 1 regions, 1 GPU generations, 1 overrides>"
    page = formats(scn)["text/html"]
    assert "<code>discount_rate</code> = 0.0" in page and len(page) < 5000


def test_read_results_at_top_level(tmp_path):
    out = tmp_path / "out"
    assert runner_ok(["run", str(write_tiny(tmp_path / "scn")), "--out", str(out)])
    loaded = dcplan.read_results(out)
    assert loaded.compute["online_h100e"].iloc[0] == pytest.approx(1000)
    assert repr(loaded).startswith("<LoadedResults 'tiny-on-disk': Optimal") and str(out) in repr(loaded)
    assert "text/html" in formats(loaded)


def runner_ok(args) -> bool:
    r = CliRunner().invoke(app, args)
    return r.exit_code == 0


def test_example_scenarios_are_found_from_anywhere(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert (dcplan.example_scenario_dir("fairwater_training") / "scenario.yaml").is_file()
    with pytest.raises(dcplan.InputError, match="no example 'nope'; examples: fairwater_training"):
        dcplan.example_scenario_dir("nope")
