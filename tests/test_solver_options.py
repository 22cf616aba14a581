"""HiGHS options from scenario.yaml (`solver:`) and the CLI (`--solver-option KEY=VALUE`):
checked against highspy's option API, typed, reaching HiGHS, and kept through a rebuild."""

from __future__ import annotations

from dataclasses import replace

import pytest
import yaml
from test_cli import write_tiny
from tiny import tiny
from typer.testing import CliRunner

from dcplan import InputError, Plan, SolveError, load_scenario
from dcplan.cli import app
from dcplan.scenario.solver_options import parse_solver_options

runner = CliRunner()


def _option(h, name):
    v = h.getOptionValue(name)
    return v[1] if isinstance(v, tuple) else v  # highspy >= 1.12 returns (status, value)


def test_values_take_the_options_type():
    """YAML's `presolve: off` is the boolean False: HiGHS wants the string 'off'; 2.0 threads is 2."""
    got = parse_solver_options({"presolve": False, "threads": 2.0, "time_limit": "60", "run_crossover": "on",
                                "output_flag": "false"})
    assert got == {"presolve": "off", "threads": 2, "time_limit": 60.0, "run_crossover": "on", "output_flag": False}
    assert isinstance(got["threads"], int) and isinstance(got["time_limit"], float)


def test_cli_items_parse_like_yaml():
    assert parse_solver_options(["solver=ipm", "time_limit=600", "presolve=off"], origin="--solver-option", key_prefix="") == {
        "solver": "ipm", "time_limit": 600.0, "presolve": "off"}


@pytest.mark.parametrize(
    ("options", "key", "words"),
    [
        ({"time_limt": 60}, "solver.time_limt", ["unknown HiGHS option 'time_limt'", "did you mean 'time_limit'"]),
        ({"threads": "many"}, "solver.threads", ["got 'many'", "expected a whole number"]),
        ({"time_limit": True}, "solver.time_limit", ["expected a number"]),
        ({"solver": "quantum"}, "solver.solver", ["does not accept the value 'quantum'"]),
        ({"primal_feasibility_tolerance": -1}, "solver.primal_feasibility_tolerance", ["does not accept the value '-1'"]),
    ],
)
def test_bad_options_name_the_file_and_key(options, key, words):
    with pytest.raises(InputError) as e:
        parse_solver_options(options)
    (p,) = e.value.problems
    assert p.file == "scenario.yaml" and p.column == key
    for w in words:
        assert w in p.message


def test_every_bad_option_is_reported_together():
    with pytest.raises(InputError) as e:
        parse_solver_options(["nonsense=1", "threads=x", "oops"], origin="--solver-option", key_prefix="")
    assert [p.file for p in e.value.problems] == ["--solver-option"] * 3
    assert "expected KEY=VALUE" in e.value.problems[0].message  # 'oops' is parsed first, then the names are checked


def test_scenario_yaml_solver_mapping(tmp_path):
    folder = write_tiny(tmp_path / "scn")
    (folder / "scenario.yaml").write_text(yaml.safe_dump({"name": "t", "solver": {"solver": "ipm", "presolve": False}}))
    scn = load_scenario(folder)
    assert scn.solver_options == {"solver": "ipm", "presolve": "off"}
    assert scn.with_overrides({"supply.2026.cowos_wafers_per_year": 50}).solver_options == scn.solver_options


def test_scenario_yaml_bad_solver_entries(tmp_path):
    folder = write_tiny(tmp_path / "scn")
    (folder / "scenario.yaml").write_text("name: t\nsolver:\n  time_limt: 60\n  threads: lots\n")
    with pytest.raises(InputError) as e:
        load_scenario(folder)
    assert {(p.file, p.column) for p in e.value.problems} == {("scenario.yaml", "solver.time_limt"), ("scenario.yaml", "solver.threads")}
    (folder / "scenario.yaml").write_text("name: t\nsolver: ipm\n")
    with pytest.raises(InputError, match="'solver' must be a mapping"):
        load_scenario(folder)


def test_options_reach_highs_and_survive_a_rebuild():
    """An iteration limit of 0 stops HiGHS before the optimum (so the option is really applied);
    after a structural change (longer horizon) the rebuilt plan keeps both the scenario's and
    the Plan's options."""
    limited = replace(tiny(), solver_options={"solver": "simplex", "simplex_iteration_limit": 0, "presolve": "off"})
    with pytest.raises(SolveError, match="teration limit"):
        Plan(limited).solve()
    plan = Plan(replace(tiny(), solver_options={"solver": "ipm"}), highs_options={"presolve": "off"})
    assert plan.solve().objective_usd == pytest.approx(1_000_000)
    longer = replace(tiny({"horizon.end_year": 2027}), solver_options={"solver": "ipm"})
    res = plan.resolve(longer)
    assert res.objective_usd == pytest.approx(2_000_000)
    assert _option(plan.lp.highs, "solver") == "ipm"
    assert _option(plan.lp.highs, "presolve") == "off"


def test_cli_solver_option(tmp_path):
    folder = write_tiny(tmp_path / "scn")
    r = runner.invoke(app, ["run", str(folder), "--out", str(tmp_path / "out"), "--solver-option", "time_limt=5"])
    assert r.exit_code == 1
    assert "--solver-option, column 'time_limt': unknown HiGHS option 'time_limt'" in r.output
    r = runner.invoke(app, ["run", str(folder), "--out", str(tmp_path / "out"), "--solver-option", "solver=ipm",
                            "--solver-option", "time_limit=60"])
    assert r.exit_code == 0, r.output
