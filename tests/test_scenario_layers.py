"""Layered scenarios (docs/inputs.md, "Layered scenarios"): base chains of any depth, the bases'
overrides beneath the child's, tables replaced or rows added by key; `dcplan init`."""

from __future__ import annotations

import pytest
import yaml
from test_cli import write_tiny
from typer.testing import CliRunner

from dcplan import InputError, load_scenario
from dcplan.cli import app

runner = CliRunner()
SITE_ROW = "{site},Site,TX,32.45,-99.73,test,{it},20000,0,1.0,assumption: test,2026\n"
SITE_HEADER = "site,name,region,latitude,longitude,operator,max_it_mw,max_grid_mw,max_onsite_gas_mw,pue,source,source_year\n"


def layer(folder, base, overrides=None, **files):
    folder.mkdir(parents=True)
    (folder / "scenario.yaml").write_text(yaml.safe_dump({"name": folder.name, "base": base, "overrides": overrides or {}}))
    for name, text in files.items():
        (folder / name.replace("__", ".")).write_text(text)
    return folder


@pytest.fixture
def chain(tmp_path):
    """a (every table; discount 0.01, growth 1.1) <- b (growth 1.2, unmet penalty 20,000) <- c (penalty 30,000)."""
    a = write_tiny(tmp_path / "a", {"discount_rate": 0.01, "demand.growth_per_year": 1.1})
    b = layer(tmp_path / "b", "../a", {"demand.growth_per_year": 1.2, "demand.unmet_penalty_usd_per_h100e_year": 20_000})
    c = layer(tmp_path / "c", "../b", {"demand.unmet_penalty_usd_per_h100e_year": 30_000})
    return a, b, c


def test_base_chains_with_the_bases_overrides_beneath(chain):
    """Rule 1 and 4: each parameter takes the nearest layer's override; --set wins over all."""
    _, _, c = chain
    scn = load_scenario(c)
    assert scn.name == "c"
    assert scn.params["discount_rate"] == 0.01  # from a, two layers down
    assert scn.params["demand.growth_per_year"] == 1.2  # b over a
    assert scn.params["demand.unmet_penalty_usd_per_h100e_year"] == 30_000  # c over b
    scn = load_scenario(c, {"discount_rate": 0.02})
    assert scn.params["discount_rate"] == 0.02


def test_nearest_layer_supplies_the_whole_table(chain, tmp_path):
    """Rule 2: b's sites.csv replaces a's; c (no sites.csv) gets b's."""
    _, b, c = chain
    (b / "sites.csv").write_text(SITE_HEADER + SITE_ROW.format(site="s1", it=12345))
    assert load_scenario(c).sites.loc["s1", "max_it_mw"] == 12345


def test_add_rows_adds_and_replaces_by_key(chain):
    """Rule 3: c's sites.add.csv adds s2 and replaces s1 in place (the whole row)."""
    _, _, c = chain
    (c / "sites.add.csv").write_text(SITE_HEADER + SITE_ROW.format(site="s2", it=500) + SITE_ROW.format(site="s1", it=17000))
    sites = load_scenario(c).tables["sites"]
    assert list(sites["site"]) == ["s1", "s2"]
    assert list(sites["max_it_mw"]) == [17000, 500]


def test_problem_in_added_rows_names_the_add_file_and_line(chain):
    _, _, c = chain
    (c / "sites.add.csv").write_text(SITE_HEADER + SITE_ROW.format(site="s2", it=500) + SITE_ROW.format(site="s3", it="lots"))
    with pytest.raises(InputError) as e:
        load_scenario(c)
    [p] = e.value.problems
    assert (p.file, p.row, p.column) == ("sites.add.csv", 3, "max_it_mw")
    assert "got 'lots'; expected a number" in p.message


def test_duplicate_key_in_added_rows(chain):
    _, _, c = chain
    (c / "sites.add.csv").write_text(SITE_HEADER + SITE_ROW.format(site="s2", it=1) + SITE_ROW.format(site="s2", it=2))
    with pytest.raises(InputError) as e:
        load_scenario(c)
    assert [(p.file, p.row) for p in e.value.problems] == [("sites.add.csv", 3)]
    assert "duplicate key (site=s2): rows 2 and 3" in e.value.problems[0].message


def test_added_rows_need_a_table_beneath(tmp_path):
    a = write_tiny(tmp_path / "a")
    c = layer(tmp_path / "c", "../a", training__add__csv="year,supercluster,run_h100e_millions,source,source_year\n")
    with pytest.raises(InputError) as e:
        load_scenario(c)
    assert any(p.file == "training.add.csv" and "no layer beneath has training.csv" in p.message for p in e.value.problems)
    assert a.is_dir()


def test_a_base_loop_is_an_error(tmp_path):
    a = write_tiny(tmp_path / "a")
    b = layer(tmp_path / "b", "../c")
    layer(tmp_path / "c", "../b")
    with pytest.raises(InputError) as e:
        load_scenario(b)
    assert any("base chain loops" in p.message for p in e.value.problems)
    assert a.is_dir()


def test_init_scaffolds_a_scenario_that_validates(tmp_path, chain):
    new = tmp_path / "studies" / "tx-fast"
    r = runner.invoke(app, ["init", str(new), "--base", str(chain[2])])
    assert r.exit_code == 0, r.output
    text = (new / "scenario.yaml").read_text()
    assert "name: tx-fast" in text and "base: ../../c" in text and "# Overrides" in text
    v = runner.invoke(app, ["validate", str(new)])
    assert v.exit_code == 0, v.output
    assert load_scenario(new).params["demand.unmet_penalty_usd_per_h100e_year"] == 30_000
    d = runner.invoke(app, ["init", str(tmp_path / "on-default")])
    assert d.exit_code == 0, d.output
    assert "base: default" in (tmp_path / "on-default" / "scenario.yaml").read_text()


def test_init_refuses_an_existing_folder_or_a_missing_base(tmp_path):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "notes.txt").write_text("x")
    r = runner.invoke(app, ["init", str(tmp_path / "taken")])
    assert r.exit_code == 2 and "exists and is not an empty folder" in r.output and "nothing was written" in r.output
    r = runner.invoke(app, ["init", str(tmp_path / "new"), "--base", str(tmp_path / "nope")])
    assert r.exit_code == 2 and "no scenario folder there" in r.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]
    assert [p.name for p in (tmp_path / "taken").iterdir()] == ["notes.txt"]
