"""Plots, maps, the results-folder round trip and the HTML report, on a real run of the default
scenario; the report is opened in headless Chromium and screenshotted for a reviewer."""

from __future__ import annotations

import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pandas as pd
import pytest
from typer.testing import CliRunner

import dcplan
from dcplan.cli import app
from dcplan.reports import plots
from dcplan.reports.html import write_report
from dcplan.reports.load import ResultsNotFound, read_results
from dcplan.reports.maps import SITE_MARKER_GIDS, plot_site_map

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
runner = CliRunner()


@pytest.fixture(scope="module")
def scn():
    return dcplan.load_scenario()


@pytest.fixture(scope="module")
def res(scn):
    return dcplan.Plan(scn).solve()


@pytest.fixture(scope="module")
def sites(scn):
    return scn.tables["sites"][["site", "name", "region", "latitude", "longitude", "operator"]].copy()


@pytest.fixture(scope="module")
def results_dir(tmp_path_factory, res, sites):
    """`dcplan run --out DIR` on the bundled default, with sites.parquet beside the tables."""
    out = tmp_path_factory.mktemp("results")
    r = runner.invoke(app, ["run", "--out", str(out)])
    assert r.exit_code == 0, r.output
    if not (out / "sites.parquet").is_file():  # until `dcplan run` writes it itself
        sites.to_parquet(out / "sites.parquet", index=False)
    return out


@pytest.fixture(scope="module")
def report(results_dir):
    """`dcplan report DIR` on the folder `dcplan run --out DIR` wrote."""
    r = runner.invoke(app, ["report", str(results_dir)])
    assert r.exit_code == 0, r.output
    return results_dir / "report.html"


# ---------------------------------------------------------------- plots


def _artists(ax) -> int:
    return len(ax.lines) + len(ax.patches) + len(ax.collections) + len(ax.images)


@pytest.mark.parametrize("name", list(plots.FIGURES))
def test_each_plot_has_data_title_and_labels(res, name):
    fig = plots.FIGURES[name](res)
    data_axes = [ax for ax in fig.axes if _artists(ax) > 0 and ax.get_label() != "<colorbar>"]
    assert data_axes, f"{name}: no axes with data"
    assert any(ax.get_title() for ax in fig.axes), f"{name}: no title"
    for ax in data_axes:
        assert ax.get_xlabel() == "year" or ax.get_xlabel() == "", name
        assert ax.get_ylabel() or name == "bottleneck_heatmap", f"{name}: y axis without label"
    assert any(ax.get_xlabel() == "year" for ax in fig.axes), f"{name}: no year axis"


def test_compute_plot_stacks_every_generation_in_use_and_shades_unmet(res):
    fig = plots.plot_compute(res)
    ax = fig.axes[0]
    in_use = res.gpus.groupby("generation")["in_use_h100e"].sum()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    for g in in_use[in_use > 0].index:
        assert g.upper().replace("_", " ") in labels
    assert "demand" in labels and "unmet demand" in labels
    assert "million H100" in ax.get_ylabel()
    assert res.compute["unmet_h100e"].max() > 0  # the default run leaves demand unmet late in the horizon


def test_units_are_readable(res):
    assert "(GW)" in plots.plot_power_by_source(res).axes[0].get_ylabel()
    assert "(GW)" in plots.plot_power_by_state(res).axes[0].get_ylabel()
    builds = plots.plot_builds(res)
    assert [ax.get_ylabel() for ax in builds.axes] == ["capacity (GW)", "transformers (GVA)"]
    assert "USD bn" in plots.plot_costs(res).axes[0].get_ylabel()


def test_bottleneck_heatmap_rows_carry_their_unit(res):
    fig = plots.plot_bottlenecks(res)
    ax = fig.axes[0]
    rows = [t.get_text() for t in ax.get_yticklabels()]
    assert any("$/wafer" in r for r in rows) and any("$/MVA" in r for r in rows) and any("$/MW" in r for r in rows)
    assert ax.images and ax.images[-1].get_array().shape[-1] == 4  # RGBA: each unit on its own log scale
    assert "log scale within each unit" in ax.get_title()


def test_plots_accept_loaded_results_and_plain_tables(res, results_dir):
    loaded = read_results(results_dir)
    assert plots.plot_costs(loaded).axes[0].patches
    assert plots.plot_unmet({"compute": res.compute}).axes[0].patches


def test_save_figures_writes_every_png_and_the_map(res, sites, tmp_path):
    paths = plots.save_figures(res, tmp_path, sites=sites)
    assert set(paths) == set(plots.FIGURES) | {"site_map"}
    for p in paths.values():
        assert p.is_file() and p.stat().st_size > 10_000
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# ---------------------------------------------------------------- maps


def _markers(fig) -> int:
    return sum(len(c.get_offsets()) for ax in fig.axes for c in ax.collections if c.get_gid() in SITE_MARKER_GIDS)


def test_map_draws_one_marker_per_site(res, sites):
    fig = plot_site_map(sites, res.power, year=2030)
    assert _markers(fig) == len(sites)
    ax = fig.axes[0]
    assert "2030" in ax.get_title()
    in_use = next(c for c in ax.collections if c.get_gid() == "sites-in-use")
    n_on = int((res.power[res.power["year"] == 2030].groupby("site")["it_mw"].sum() > 0).sum())
    assert len(in_use.get_offsets()) == n_on


def test_map_draws_superclusters_and_fiber_links_when_given(res, sites):
    links = [("abilene_tx", "shackelford_tx"), ("loudoun_va", "homer_city_pa")]
    fig = plot_site_map(
        sites, res.power, superclusters=[["abilene_tx", "shackelford_tx", "milam_tx"]], fiber_links=links
    )
    ax = fig.axes[0]
    assert len([ln for ln in ax.lines if ln.get_gid() == "fiber-link"]) == len(links)
    assert any("SC1" in t.get_text() for t in ax.texts)
    assert _markers(fig) == len(sites)
    with pytest.raises(ValueError, match="nowhere_xx"):
        plot_site_map(sites, res.power, fiber_links=[("abilene_tx", "nowhere_xx")])


# ---------------------------------------------------------------- results folder round trip


def test_read_results_round_trip(res, results_dir):
    loaded = read_results(results_dir)
    assert loaded.status == res.status
    assert loaded.objective_usd == pytest.approx(res.objective_usd)
    pd.testing.assert_frame_equal(
        loaded.compute.reset_index(drop=True), res.compute.reset_index(drop=True), check_dtype=False
    )
    # every site of the scenario, used or not (a site the plan leaves empty has no power rows)
    assert loaded.sites is not None and len(loaded.sites) == len(res.sites)
    assert set(loaded.sites["site"]) == set(res.sites["site"]) >= set(res.power["site"])


def test_read_results_picks_up_network_tables_for_the_map(results_dir, tmp_path):
    folder = tmp_path / "net"
    shutil.copytree(results_dir, folder)
    for old in [*folder.glob("superclusters.*"), *folder.glob("fiber_links.*")]:
        old.unlink()  # replace the run's own network tables with hand-made ones
    pd.DataFrame(
        {"supercluster": ["tx", "tx", "tx", "solo"], "site": ["abilene_tx", "milam_tx", "not_a_site", "pryor_ok"]}
    ).to_csv(folder / "superclusters.csv", index=False)
    pd.DataFrame({"site_a": ["abilene_tx", "loudoun_va"], "site_b": ["milam_tx", "homer_city_pa"]}).to_parquet(
        folder / "fiber_links.parquet"
    )
    loaded = read_results(folder)
    assert loaded.superclusters == {"tx": ["abilene_tx", "milam_tx"]}  # unknown sites dropped, one-site clusters too
    assert loaded.fiber_links == [("abilene_tx", "milam_tx"), ("loudoun_va", "homer_city_pa")]
    fig = plot_site_map(loaded.sites, loaded.power, superclusters=loaded.superclusters, fiber_links=loaded.fiber_links)
    assert any(t.get_text() == "tx" for t in fig.axes[0].texts)
    # `dcplan run` writes the default scenario's superclusters: the named ones come first
    own = read_results(results_dir).superclusters
    assert list(own)[:2] == ["fairwater", "stargate_texas"]
    assert own["fairwater"] == ["atlanta_ga", "mount_pleasant_wi"]


def test_read_results_csv(tmp_path):
    out = tmp_path / "csv"
    assert runner.invoke(app, ["run", "--out", str(out), "--format", "csv"]).exit_code == 0
    loaded = read_results(out)
    assert len(loaded.compute) == 10 and "it_mw" in loaded.power.columns


def test_read_results_says_what_is_missing(tmp_path):
    with pytest.raises(ResultsNotFound, match="does not exist"):
        read_results(tmp_path / "nope")
    with pytest.raises(ResultsNotFound, match="no dcplan results"):
        read_results(tmp_path)
    (tmp_path / "summary.json").write_text("{}")
    with pytest.raises(ResultsNotFound, match="missing compute.parquet"):
        read_results(tmp_path)


# ---------------------------------------------------------------- HTML report


class _Refs(HTMLParser):
    """Collects every resource reference (src/href/data/srcset attribute) and tag count."""

    def __init__(self):
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []
        self.tags: dict[str, int] = {}

    def handle_starttag(self, tag, attrs):
        self.tags[tag] = self.tags.get(tag, 0) + 1
        for k, v in attrs:
            if k in ("src", "href", "data", "srcset", "poster", "action") and v is not None:
                self.refs.append((tag, k, v))


def test_report_is_one_self_contained_file(report, results_dir):
    assert report == results_dir / "report.html"
    text = report.read_text(encoding="utf-8")
    p = _Refs()
    p.feed(text)
    external = [r for r in p.refs if r[2].strip().lower().startswith(("http:", "https:", "//", "file:"))]
    assert not external, external
    assert all(v.startswith(("data:", "#")) for _, _, v in p.refs), p.refs
    assert p.tags.get("link", 0) == 0 and "@import" not in text and "@font-face" not in text
    imgs = [v for t, k, v in p.refs if t == "img"]
    assert len(imgs) >= len(plots.FIGURES) + 1 and all(v.startswith("data:image/png;base64,") for v in imgs)
    assert text.count('class="plotly-graph-div"') == 2
    for heading in (
        "Summary",
        "Bottleneck timeline",
        "Top binding constraints per year",
        "Costs by category",
        "Capacity in service",
    ):
        assert heading in text
    assert "Plotly.newPlot" in text and "window.Plotly" in text  # the library itself is inline


def test_report_without_sites_skips_the_map_with_a_note(results_dir, tmp_path):
    folder = tmp_path / "nosites"
    shutil.copytree(results_dir, folder)
    for f in folder.glob("sites.*"):
        f.unlink()
    text = write_report(folder, tmp_path / "r.html").read_text()
    assert "No map" in text and "sites.parquet" in text


def test_cli_run_then_report(report, results_dir):
    """`dcplan run --out DIR && dcplan report DIR` (both through the CLI, in the fixtures)."""
    assert report.is_file() and report.stat().st_size > 1_000_000
    assert [p.name for p in results_dir.glob("*.html")] == ["report.html"]


def test_cli_report_on_a_folder_without_results_exits_nonzero(tmp_path):
    r = runner.invoke(app, ["report", str(tmp_path)])
    assert r.exit_code == 1
    assert "no dcplan results" in r.output and "dcplan run --out" in r.output


# ---------------------------------------------------------------- Chromium


def _chromium() -> str:
    if CHROMIUM.is_file():
        return str(CHROMIUM)
    if os.environ.get("CI"):
        pytest.fail("CI must have /usr/bin/chromium (.ci/run installs Debian's chromium package)")
    pytest.skip("/usr/bin/chromium is not installed (apt-get install chromium); CI runs this test")


def _chromium_cmd(tmp_path: Path, name: str) -> list[str]:
    return [
        _chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        f"--user-data-dir={tmp_path / ('profile-' + name)}",
        "--virtual-time-budget=15000",
    ]


def test_report_renders_in_chromium_without_console_errors(report, tmp_path):
    url = report.resolve().as_uri()
    r = subprocess.run(
        _chromium_cmd(tmp_path, "dom") + ["--enable-logging=stderr", "--v=0", "--dump-dom", url],
        check=False,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    console = [ln for ln in r.stderr.splitlines() if ":CONSOLE" in ln or "CONSOLE(" in ln]
    errors = [ln for ln in console if any(w in ln for w in ("Uncaught", "Error", "error", "Failed", "Refused"))]
    errors += [ln for ln in r.stderr.splitlines() if "net::ERR_" in ln]
    assert not errors, "\n".join(errors)
    dom = r.stdout
    assert dom.count('class="plot-container plotly"') == 2, "plotly charts did not render"
    assert dom.count('class="main-svg"') >= 2
    assert dom.count("data:image/png;base64,") >= len(plots.FIGURES) + 1

    shot = tmp_path / "report.png"
    r = subprocess.run(
        _chromium_cmd(tmp_path, "shot") + [f"--screenshot={shot}", "--window-size=1400,3000", url],
        check=False,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert r.returncode == 0 and shot.is_file(), r.stderr[-3000:]
    from PIL import Image

    with Image.open(shot) as im:
        assert im.size == (1400, 3000)
        lo, hi = im.convert("L").getextrema()
        assert hi - lo > 100, "the screenshot is blank"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shot, ARTIFACTS / "report.png")


def test_report_network_section_shows_superclusters_and_flows(report, res):
    """The Network section lists the 2030 superclusters with the most power in use (first the one
    the supercluster_power table ranks first) and the power moved between regions."""
    text = report.read_text(encoding="utf-8")
    i = text.index('<section id="network">')
    section = text[i:text.index("</section>", i)]
    assert "Superclusters in 2030" in section and "Power moved between regions in 2030" in section
    sp = res.supercluster_power[res.supercluster_power["year"] == 2030]
    top = sp.sort_values(["facility_mw", "supercluster"], ascending=[False, True]).iloc[0]
    first_row = section[section.index("<tbody>"):]
    assert first_row.index(f">{top['supercluster']}<") < first_row.index("</tr>")
    assert f"{top['facility_mw'] / 1e3:,.2f}" in first_row[: first_row.index("</tr>")]
