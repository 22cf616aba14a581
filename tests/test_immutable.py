"""A Scenario is immutable (issue 13, part 3): its tables, parameters and overrides cannot change
after it is built, so the views it caches on first use never go stale; with_overrides and
with_params return new scenarios; a parameter-only variant shares the tables and their views."""

from __future__ import annotations

import dataclasses
import pickle

import pytest
from tiny import tiny

from dcplan.model.tracking import params_view


def test_a_changed_table_copy_leaves_the_scenario_and_its_cached_views_alone():
    """The stale-cache case: read `sites` (cached), then change the sites table as a user would.
    Before, `scn.tables["sites"]` was the scenario's own frame, changed in place, while `scn.sites`
    kept the old values: the model read one, the checks the other."""
    scn = tiny()
    assert scn.sites.at["s1", "pue"] == 1.0 and scn.sites.at["s1", "max_it_mw"] == 20_000  # cached now
    t = scn.tables["sites"]
    t.loc[0, "pue"] = 1.5
    t["max_it_mw"] = 0.0
    assert scn.tables["sites"].at[0, "pue"] == 1.0 and scn.tables["sites"].at[0, "max_it_mw"] == 20_000
    assert scn.sites.at["s1", "pue"] == 1.0
    view = scn.sites
    view.loc["s1", "pue"] = 2.0
    assert scn.sites.at["s1", "pue"] == 1.0  # a cached view is handed out as a copy


def test_frames_passed_in_are_not_the_scenarios_own():
    scn = tiny()
    frames = {k: scn.tables[k] for k in scn.tables}
    new = dataclasses.replace(scn, tables=frames)
    frames["sites"].loc[0, "pue"] = 3.0
    assert new.tables["sites"].at[0, "pue"] == 1.0 and new.sites.at["s1", "pue"] == 1.0


def test_mutation_attempts_raise_a_clear_error():
    scn = tiny()
    with pytest.raises(TypeError, match="with_overrides"):
        scn.params["planner_share.cowos"] = 0.5
    with pytest.raises(TypeError, match="immutable"):
        scn.tables["sites"] = scn.tables["sites"]
    with pytest.raises(TypeError, match="immutable"):
        del scn.raw_tables["sites"]
    with pytest.raises(TypeError, match="immutable"):
        scn.overrides.update({"x": 1})
    with pytest.raises(TypeError, match="immutable"):
        scn.solver_options["time_limit"] = 5
    with pytest.raises(TypeError, match="immutable"):
        scn.gpu_spec["g1"]["price_usd_per_gpu"] = 1.0  # nested views are read-only too
    with pytest.raises(dataclasses.FrozenInstanceError):
        scn.name = "other"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        scn.gpus = None  # type: ignore[misc]
    assert isinstance(scn.onsite_technologies, tuple)


def test_with_overrides_is_a_new_scenario_and_the_old_one_is_unchanged():
    scn = tiny()
    before = scn.gpu_spec["g1"]["price_usd_per_gpu"]
    new = scn.with_overrides({"gpus.g1.price_usd_per_gpu": 2000, "planner_share.cowos": 0.5})
    assert new is not scn
    assert new.gpu_spec["g1"]["price_usd_per_gpu"] == 2000 and new.params["planner_share.cowos"] == 0.5
    assert scn.gpu_spec["g1"]["price_usd_per_gpu"] == before and scn.params["planner_share.cowos"] == 1.0


def test_parameter_only_variant_shares_tables_and_views_but_not_parameters():
    scn = tiny()
    sites = scn.sites
    new = scn.with_overrides({"planner_share.cowos": 0.5})
    assert new.tables is scn.tables and new.raw_tables is scn.raw_tables  # nothing copied
    assert new._views["sites"] is scn._views["sites"]  # the table views carried over
    assert new.sites.equals(sites) and new.scope == scn.scope and new.solver_options == scn.solver_options
    assert scn.params["planner_share.cowos"] == 1.0 and new.params["planner_share.cowos"] == 0.5
    with pytest.raises(TypeError):
        new.params["planner_share.cowos"] = 0.1


def test_derived_values_are_kept_unless_a_parameter_they_read_changes():
    scn = tiny()
    calls = []
    scn.derived("k", lambda: calls.append(1) or "v", depends_on=("discount_rate",))
    scn.with_overrides({"planner_share.cowos": 0.5}).derived("k", lambda: calls.append(2) or "w")
    assert calls == [1]
    assert scn.with_overrides({"discount_rate": 0.1}).derived("k", lambda: calls.append(3) or "w") == "w"
    assert calls == [1, 3]


def test_params_view_records_reads_and_is_read_only():
    scn = tiny()
    view, rec = params_view(scn)
    assert view.tables is scn.tables and view._derived is scn._derived
    view.discount_factor(2027)
    assert "discount_rate" in rec.read and "horizon.start_year" in rec.read
    with pytest.raises(TypeError):
        view.params["discount_rate"] = 0.2


def test_a_scenario_pickles_and_copies():
    """Sweeps send scenarios to worker processes: the frozen containers survive a round trip."""
    scn = tiny()
    _ = scn.gpu_spec  # a cached view goes along
    back = pickle.loads(pickle.dumps(scn))
    assert back.params == scn.params and list(back.tables) == list(scn.tables)
    assert back.tables["sites"].equals(scn.tables["sites"]) and back.gpu_spec == scn.gpu_spec
    with pytest.raises(TypeError):
        back.params["discount_rate"] = 0.1
    assert dataclasses.replace(scn, name="b").params == scn.params
