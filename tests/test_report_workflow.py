"""Report pieces of the workflow issue: the run record, which superclusters the map outlines,
every site labelled, and the training run's supercluster always in the network table."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from test_cli import write_tiny  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from dcplan.cli import app  # noqa: E402
from dcplan.reports import html as H  # noqa: E402
from dcplan.reports.load import LoadedResults, read_results  # noqa: E402

runner = CliRunner()


def test_report_shows_the_run_record(tmp_path):
    scn = write_tiny(tmp_path / "scn")
    out = tmp_path / "out"
    assert runner.invoke(app, ["run", str(scn), "--out", str(out), "--set", "supply.2026.cowos_wafers_per_year=50"]).exit_code == 0
    res = read_results(out)
    assert res.record["overrides"]["sources"]["--set"] == {"supply.2026.cowos_wafers_per_year": "50"}  # as typed
    page = H._run_record(res)
    assert "Run record" in page and "supply.2026.cowos_wafers_per_year" in page and "input files (SHA-256)" in page
    assert "--set" in page and "HiGHS" not in page.split("versions")[0]
    (out / "run.json").unlink()
    assert "No run.json" in H._run_record(read_results(out))


def _loaded(tables: dict, superclusters=None) -> LoadedResults:
    return LoadedResults(path=Path("x"), tables=tables, summary={}, superclusters=superclusters)


def test_map_outlines_named_superclusters_unless_found_ones_are_asked_for():
    sc = pd.DataFrame({"supercluster": ["fw", "fw", "auto_1", "auto_1"], "origin": ["named", "named", "found", "found"],
                       "site": ["a", "b", "c", "d"], "max_rtt_ms": [1.0] * 4})
    res = _loaded({"superclusters": sc}, {"fw": ["a", "b"], "auto_1": ["c", "d"]})
    assert H._map_superclusters(res, found=False) == {"fw": ["a", "b"]}
    assert H._map_superclusters(res, found=True) == {"fw": ["a", "b"], "auto_1": ["c", "d"]}


def test_map_can_label_every_site():
    from dcplan.reports.maps import plot_site_map

    sites = pd.DataFrame({"site": ["s1", "s2", "s3"], "name": ["Abilene", "Idle One", "Idle Two"], "region": ["TX", "TX", "GA"],
                          "latitude": [32.45, 31.0, 33.7], "longitude": [-99.73, -97.0, -84.4]})
    power = pd.DataFrame({"site": ["s1", "s2", "s3"], "region": ["TX", "TX", "GA"], "year": [2030] * 3,
                          "it_mw": [500.0, 0.0, 0.0], "facility_mw": [600.0, 0.0, 0.0]})
    fig = plot_site_map(sites, power, year=2030, label_top=None)
    texts = {t.get_text().split("\n")[0] for t in fig.axes[0].texts}
    assert {"Abilene", "Idle One", "Idle Two"} <= texts


def test_network_table_always_shows_the_training_runs_supercluster():
    """Ten superclusters with 10..1 MW in use and the training run on the smallest (sc9): it is
    listed although the top 8 by power would leave it out."""
    sp = pd.DataFrame({"supercluster": [f"sc{i}" for i in range(10)], "year": 2030, "origin": "found", "n_sites": 2,
                       "regions": "TX", "max_rtt_ms": 1.0, "power_available_mw": 100.0,
                       "facility_mw": [float(10 - i) for i in range(10)], "in_use_h100e": 1.0})
    tr = pd.DataFrame({"year": [2030], "supercluster": ["sc9"], "slice": ["year"], "site": ["a"], "region": ["TX"],
                       "anchor": ["a"], "hosted_h100e": [1.0], "run_h100e": [1.0], "unmet_h100e": [0.0],
                       "run_it_mw": [1.0], "run_facility_mw": [1.0]})
    comp = pd.DataFrame({"year": [2030], "online_h100e": [1.0]})
    page = H._network(_loaded({"supercluster_power": sp, "training": tr, "compute": comp}))
    assert "<td class=\"l\">sc9</td>" in page and "sc9 hosting the training run" in page
    assert "<td class=\"l\">sc8</td>" not in page  # the ninth by power, not the host


def test_headline_splits_plan_cost_from_unserved_value(tmp_path):
    """CoWoS at 50 wafers: plan cost 500 GPUs x $1,000 = $500k, apart from 500 unmet H100e x
    $10,000 = $5M of unserved demand; summary.json, the report's cards and repr(res) say so."""
    import json

    scn = write_tiny(tmp_path / "scn", {"supply.2026.cowos_wafers_per_year": 50})
    out = tmp_path / "out"
    r = runner.invoke(app, ["run", str(scn), "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "plan cost $" in r.output and "unserved demand valued at $" in r.output
    s = json.loads((out / "summary.json").read_text())
    assert s["plan_cost_usd"] == pytest.approx(500_000) and s["unserved_value_usd"] == pytest.approx(5_000_000)
    card = H._summary(read_results(out))
    assert "$500k" in card and "$5.0M" in card
    assert "plan cost $0.00bn + unserved demand $0.01bn" in repr(read_results(out))
