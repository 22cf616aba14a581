"""A Scenario is immutable: its tables, parameters and overrides cannot change after it is built,
so the views it caches on first use never go stale; `with_overrides` returns a new scenario."""

from __future__ import annotations

import dataclasses
import pickle

import pytest
from tiny import tiny


def test_a_changed_table_copy_leaves_the_scenario_and_its_cached_views_alone():
    """The stale-cache case: read `sites` (cached), then change the sites table as a user would;
    before, `scn.tables["sites"]` was changed in place and `scn.sites` kept the old PUE."""
    scn = tiny()
    assert scn.sites.at["s1", "pue"] == 1.0  # cached now
    t = scn.tables["sites"]
    t.loc[0, "pue"] = 1.5
    t["max_it_mw"] = 0.0
    assert scn.tables["sites"].at[0, "pue"] == 1.0 and scn.tables["sites"].at[0, "max_it_mw"] == 20_000
    view = scn.sites
    view.loc["s1", "pue"] = 2.0
    assert scn.sites.at["s1", "pue"] == 1.0  # a cached view is handed out as a copy


def test_nothing_can_be_assigned():
    scn = tiny()
    with pytest.raises(TypeError):
        scn.tables["sites"] = scn.tables["sites"]  # type: ignore[index]
    with pytest.raises(TypeError, match="with_overrides"):
        scn.params["planner_share.cowos"] = 0.5
    with pytest.raises(TypeError):
        scn.overrides.update({"x": 1})
    with pytest.raises(dataclasses.FrozenInstanceError):
        scn.name = "other"  # type: ignore[misc]


def test_with_overrides_is_a_new_scenario_and_the_old_one_is_unchanged():
    scn = tiny()
    before = scn.gpu_spec["g1"]["price_usd_per_gpu"]
    new = scn.with_overrides({"gpus.g1.price_usd_per_gpu": 2000, "planner_share.cowos": 0.5})
    assert new is not scn
    assert new.gpu_spec["g1"]["price_usd_per_gpu"] == 2000 and new.params["planner_share.cowos"] == 0.5
    assert scn.gpu_spec["g1"]["price_usd_per_gpu"] == before and scn.params["planner_share.cowos"] == 1.0


def test_a_scenario_pickles_and_copies():
    """Sweeps send scenarios to worker processes: the frozen containers survive a round trip."""
    scn = tiny()
    back = pickle.loads(pickle.dumps(scn))
    assert back.params == scn.params and list(back.tables) == list(scn.tables)
    assert back.tables["sites"].equals(scn.tables["sites"])
    with pytest.raises(TypeError):
        back.params["discount_rate"] = 0.1
    assert dataclasses.replace(scn, name="b").params == scn.params
