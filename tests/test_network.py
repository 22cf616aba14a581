"""The network layer: distances and latency, the fiber and power graphs, superclusters, the
network tables' validation, and the bundled default's network.

Scenario-based tests extend the tiny scenario (tests/tiny.py: one site `s1` at Abilene TX) with
a second region TN and a site `s2` at Memphis TN (35.12 N, 89.95 W), a fiber link s1-s2 and a
transmission corridor TX-TN.
"""

from __future__ import annotations

import math

import networkx as nx
import pandas as pd
import pytest
import yaml
from pyproj import Geod
from tiny import tiny_tables
from typer.testing import CliRunner

import dcplan
from dcplan import InputError, scenario_from_tables
from dcplan.cli import app
from dcplan.network import (
    build_fiber_graph,
    fiber_graph,
    fiber_latency_ms,
    find_superclusters,
    great_circle_km,
    named_superclusters,
    power_graph,
    supercluster_table,
    within_budget_graph,
)
from dcplan.scenario.schema import NETWORK_DEFAULTS, PARAMETERS

SRC = {"source": "assumption: network test", "source_year": 2026}
ABILENE = (32.45, -99.73)
MEMPHIS = (35.12, -89.95)
runner = CliRunner()


# ----- helpers ---------------------------------------------------------------------------------


def net_tables(**extra) -> dict[str, pd.DataFrame]:
    """Tiny tables + region TN, site s2 at Memphis, fiber link s1-s2 (distance blank),
    corridor TX-TN; any table replaced by a keyword argument."""
    t = tiny_tables()
    tn = t["regions"].iloc[[0]].copy()
    tn["region"], tn["name"], tn["iso"] = "TN", "Tennessee", "TVA"
    tn["headroom_mw_start"] = 700
    t["regions"] = pd.concat([t["regions"], tn], ignore_index=True)
    s2 = t["sites"].iloc[[0]].copy()
    s2["site"], s2["name"], s2["region"] = "s2", "Site 2", "TN"
    s2["latitude"], s2["longitude"] = MEMPHIS
    s2["max_grid_mw"], s2["max_onsite_gas_mw"] = 1000, 500
    t["sites"] = pd.concat([t["sites"], s2], ignore_index=True)
    t["fiber_links"] = pd.DataFrame(
        [{"site_a": "s1", "site_b": "s2", "distance_km": None, "route_factor": None, "bandwidth_tbps": 4000, **SRC}]
    )
    t["transmission"] = pd.DataFrame(
        [{"from_region": "TX", "to_region": "TN", "capacity_mw": 800, "reverse_capacity_mw": 600, "length_km": 1200,
          "loss_fraction": 0.03, "wheeling_usd_per_mwh": 4, "expansion_capex_usd_per_mw_km": 1000,
          "expansion_lead_time_years": 0, "max_expansion_mw": 2000, **SRC}]
    )
    t.update(extra)
    return {k: v.astype(object) for k, v in t.items()}


def problems_of(t, overrides=None) -> list:
    with pytest.raises(InputError) as e:
        scenario_from_tables(t, overrides=overrides)
    return e.value.problems


def only(problems):
    assert len(problems) == 1, "expected one problem, got:\n" + "\n".join(map(str, problems))
    return problems[0]


def assert_at(p, file, row, column, *phrases):
    assert (p.file, p.row, p.column) == (file, row, column), str(p)
    for phrase in phrases:
        assert phrase in p.message, f"{phrase!r} not in: {p}"


# ----- distance and latency --------------------------------------------------------------------


def test_great_circle_abilene_memphis_within_one_percent_of_the_geodesic():
    """Haversine on a sphere vs the WGS84 ellipsoid geodesic (pyproj): ~951 km."""
    d = great_circle_km(*ABILENE, *MEMPHIS)
    _, _, geodesic_m = Geod(ellps="WGS84").inv(ABILENE[1], ABILENE[0], MEMPHIS[1], MEMPHIS[0])
    assert d == pytest.approx(geodesic_m / 1000, rel=0.01)
    assert d == pytest.approx(951, abs=2)
    assert great_circle_km(*ABILENE, *ABILENE) == 0.0


def test_great_circle_works_on_arrays():
    d = great_circle_km([32.45, 0.0], [-99.73, 0.0], [35.12, 0.0], [-89.95, 90.0])
    assert d[0] == pytest.approx(great_circle_km(*ABILENE, *MEMPHIS))
    assert d[1] == pytest.approx(math.pi / 2 * 6371.0088)  # a quarter of the equator


def test_latency_is_distance_times_microseconds_per_km():
    assert fiber_latency_ms(1000, 4.9) == pytest.approx(4.9)
    assert fiber_latency_ms(1000) == pytest.approx(NETWORK_DEFAULTS["network.fiber_us_per_km"])


def test_fiber_link_with_blank_distance_uses_great_circle_times_route_factor():
    """s1-s2: 951 km x 1.4 = 1,331 km of fiber; x 4.9 us/km = 6.52 ms one way, 13.05 ms RTT."""
    scn = scenario_from_tables(net_tables())
    e = fiber_graph(scn).edges["s1", "s2"]
    gc = great_circle_km(*ABILENE, *MEMPHIS)
    assert e["great_circle_km"] == pytest.approx(gc)
    assert e["route_factor_used"] == 1.4 and e["distance_from"] == "great-circle x route factor"
    assert e["distance_km"] == pytest.approx(gc * 1.4)
    assert e["latency_ms"] == pytest.approx(gc * 1.4 * 4.9 / 1000)
    assert e["rtt_ms"] == pytest.approx(2 * e["latency_ms"]) and e["rtt_ms"] == pytest.approx(13.05, abs=0.02)
    assert e["bandwidth_tbps"] == 4000


def test_row_route_factor_given_distance_and_parameters_are_used():
    t = net_tables()
    t["fiber_links"].loc[0, "route_factor"] = 1.2
    e = fiber_graph(scenario_from_tables(t, overrides={"network.fiber_us_per_km": 5.0})).edges["s1", "s2"]
    assert e["distance_km"] == pytest.approx(great_circle_km(*ABILENE, *MEMPHIS) * 1.2)
    assert e["latency_ms"] == pytest.approx(e["distance_km"] * 5.0 / 1000)
    t["fiber_links"].loc[0, "distance_km"] = 1500
    e = fiber_graph(scenario_from_tables(t)).edges["s1", "s2"]
    assert (e["distance_km"], e["distance_from"], e["route_factor_used"]) == (1500, "input", None)
    assert e["rtt_ms"] == pytest.approx(2 * 1500 * 4.9 / 1000)


# ----- superclusters on a hand-built graph -----------------------------------------------------


def hand_graph(budget_ms: float = 10.0) -> nx.Graph:
    """Six sites, fiber at 5 us/km, distances given (km):

        A --400-- B --500-- C --300-- D --50-- E        F (no link)
        A ------------1,200------------ C

    One-way ms = km / 200; RTT = km / 100. Shortest-path RTTs (ms): AB 4, AC 9 (A-B-C, 900 km,
    beats the 12 ms direct link), AD 12, AE 12.5, BC 5, BD 8, BE 8.5, CD 3, CE 3.5, DE 0.5.

    At a 10 ms budget every pair but AD and AE fits, so the maximal cliques of the within-budget
    graph are {B, C, D, E} (max RTT 8.5 ms: B-E) and {A, B, C} (max 9 ms: A-C); F joins none.
    """
    sites = pd.DataFrame(
        [{"site": s, "region": "R", "latitude": 40.0, "longitude": -90.0 - i} for i, s in enumerate("ABCDEF")]
    )
    km = {("A", "B"): 400, ("B", "C"): 500, ("A", "C"): 1200, ("C", "D"): 300, ("D", "E"): 50}
    links = pd.DataFrame(
        [{"site_a": a, "site_b": b, "distance_km": d, "route_factor": None, "bandwidth_tbps": 1000} for (a, b), d in km.items()]
    )
    return build_fiber_graph(sites, links, {"network.fiber_us_per_km": 5.0, "network.latency_budget_ms": budget_ms})


def test_hand_built_superclusters_at_10_ms():
    g = hand_graph()
    found = find_superclusters(g)  # the graph's own budget, 10 ms
    assert [(c.name, c.sites) for c in found] == [("auto_1", ("B", "C", "D", "E")), ("auto_2", ("A", "B", "C"))]
    assert [c.max_rtt_ms for c in found] == [pytest.approx(8.5), pytest.approx(9.0)]
    assert found[1].rtt_ms[("A", "C")] == pytest.approx(9.0)
    assert found[1].paths[("A", "C")] == ("A", "B", "C")  # shortest by latency, not the direct link
    assert found[1].links() == {("A", "B"), ("B", "C")}
    assert all(c.origin == "found" and c.within(10) for c in found)


def test_hand_built_superclusters_at_other_budgets():
    g = hand_graph()
    # 8.6 ms: AC (9) no longer fits, BE (8.5) still does
    assert [c.sites for c in find_superclusters(g, 8.6)] == [("B", "C", "D", "E"), ("A", "B")]
    # 8.5 ms exactly: BE fits (the budget is inclusive)
    assert find_superclusters(g, 8.5)[0].sites == ("B", "C", "D", "E")
    # 20 ms: one supercluster of every linked site
    (c,) = find_superclusters(g, 20)
    assert c.sites == ("A", "B", "C", "D", "E") and c.max_rtt_ms == pytest.approx(12.5)
    # 0.4 ms: nothing (DE is 0.5)
    assert find_superclusters(g, 0.4) == []


def test_within_budget_graph_edges_are_the_pairs_that_fit():
    w = within_budget_graph(hand_graph())
    assert {tuple(sorted(e)) for e in w.edges} == {
        ("A", "B"), ("A", "C"), ("B", "C"), ("B", "D"), ("B", "E"), ("C", "D"), ("C", "E"), ("D", "E")
    }
    assert w.edges["B", "E"]["rtt_ms"] == pytest.approx(8.5)
    assert "F" in w and w.degree["F"] == 0


def test_named_superclusters_report_rtt_and_missing_paths():
    g = hand_graph()
    table = pd.DataFrame({"supercluster": ["x", "x", "y", "y"], "site": ["A", "E", "C", "F"]})
    x, y = named_superclusters(table, g)
    assert (x.name, x.origin, x.sites, x.max_rtt_ms) == ("x", "named", ("A", "E"), pytest.approx(12.5))
    assert not x.within(10) and x.within(12.5)
    assert y.sites == ("C", "F") and math.isinf(y.max_rtt_ms)


# ----- the graphs from a scenario --------------------------------------------------------------


def test_fiber_graph_nodes_carry_site_attributes():
    g = fiber_graph(scenario_from_tables(net_tables()))
    assert set(g.nodes) == {"s1", "s2"} and g.number_of_edges() == 1
    n = g.nodes["s2"]
    assert (n["region"], n["latitude"], n["longitude"], n["pos"]) == ("TN", 35.12, -89.95, (-89.95, 35.12))
    assert g.graph["latency_budget_ms"] == 20.0 and g.graph["route_factor"] == 1.4


def test_power_graph_has_both_directions_of_a_corridor():
    scn = scenario_from_tables(net_tables())
    g = power_graph(scn)
    assert isinstance(g, nx.DiGraph) and set(g.nodes) == {"TX", "TN"}
    fwd, rev = g.edges["TX", "TN"], g.edges["TN", "TX"]
    assert (fwd["capacity_mw"], rev["capacity_mw"]) == (800, 600)
    assert fwd["corridor"] == rev["corridor"] == "TX-TN"
    assert (fwd["direction"], rev["direction"]) == ("forward", "reverse")
    for e in (fwd, rev):
        assert (e["loss_fraction"], e["wheeling_usd_per_mwh"], e["max_expansion_mw"]) == (0.03, 4, 2000)
        assert e["expansion_capex_usd_per_mw"] == pytest.approx(1000 * 1200)
    assert g.nodes["TN"]["headroom_mw"] == 700 and g.nodes["TN"]["sites"] == ["s2"]
    assert g.graph["year"] == 2026


def test_blank_reverse_capacity_means_symmetric():
    t = net_tables()
    t["transmission"].loc[0, "reverse_capacity_mw"] = None
    g = power_graph(scenario_from_tables(t))
    assert g.edges["TN", "TX"]["capacity_mw"] == 800


def test_supercluster_table_sums_member_power():
    """Named cluster {s1, s2}: grid 20,000 + 1,000, gas 0 + 500; TX headroom 1e6 is not binding,
    TN's 700 MW is: available = 20,000 + min(700, 1,000) + 500 = 21,200. Pipeline (s1 only):
    shell 10,000, grid 10,000."""
    sc = pd.DataFrame([{"supercluster": "pair", "site": s, **SRC} for s in ("s1", "s2")])
    scn = scenario_from_tables(net_tables(superclusters=sc))
    t = supercluster_table(scn)
    assert list(t["supercluster"]) == ["pair", "auto_1"]  # named first, then the found one (same sites)
    r = t.iloc[0]
    assert (r["origin"], r["year"], r["n_sites"], r["sites"], r["regions"]) == ("named", 2026, 2, "s1, s2", "TN, TX")
    assert r["max_rtt_ms"] == pytest.approx(13.05, abs=0.02) and r["within_budget"]
    assert (r["max_grid_mw"], r["max_onsite_gas_mw"], r["max_power_mw"]) == (21_000, 500, 21_500)
    assert r["power_available_mw"] == pytest.approx(20_000 + 700 + 500)
    assert (r["pipeline_shell_mw"], r["pipeline_grid_mw"], r["pipeline_gas_mw"], r["pipeline_power_mw"]) == (10_000, 10_000, 0, 10_000)


# ----- optional network parameters -------------------------------------------------------------


def test_network_parameters_are_optional_with_defaults():
    scn = scenario_from_tables(net_tables())  # tiny's parameters.csv has no network rows
    for name, default in NETWORK_DEFAULTS.items():
        assert PARAMETERS[name].optional and scn.params[name] == default


def test_network_parameters_from_the_file_and_overrides():
    t = net_tables()
    extra = pd.DataFrame([{"name": "network.latency_budget_ms", "value": 12, "unit": "ms", "description": "-", **SRC}])
    t["parameters"] = pd.concat([t["parameters"], extra], ignore_index=True)
    assert scenario_from_tables(t).params["network.latency_budget_ms"] == 12
    scn = scenario_from_tables(t, overrides={"network.latency_budget_ms": 30, "network.route_factor": 1.3})
    assert (scn.params["network.latency_budget_ms"], scn.params["network.route_factor"]) == (30, 1.3)
    # with a 12 ms budget the 13 ms pair is no supercluster
    assert find_superclusters(fiber_graph(scenario_from_tables(t))) == []


def test_network_parameter_out_of_range():
    p = only(problems_of(net_tables(), {"network.route_factor": 0.9}))
    assert_at(p, "overrides", None, "overrides", "'network.route_factor' = 0.9; expected [1, 5]")


# ----- validation of the network tables --------------------------------------------------------


@pytest.mark.parametrize(
    "table, column, value, expected",
    [
        ("transmission", "to_region", "XX", "unknown region 'XX'; expected one of: TN, TX"),
        ("transmission", "from_region", "ZZ", "unknown region 'ZZ'"),
        ("transmission", "capacity_mw", -100, "got '-100'; expected a value >= 0"),
        ("transmission", "reverse_capacity_mw", -1, "expected a value >= 0"),
        ("transmission", "loss_fraction", 1.0, "expected a value < 1"),
        ("transmission", "length_km", 0, "expected a value > 0"),
        ("transmission", "expansion_lead_time_years", 2.5, "expected a whole number"),
        ("transmission", "capacity_mw", "", "blank; a value is required"),
        ("fiber_links", "site_b", "s9", "unknown site 's9'; expected one of: s1, s2"),
        ("fiber_links", "bandwidth_tbps", -5, "got '-5'; expected a value >= 0"),
        ("fiber_links", "distance_km", 0, "expected a value > 0"),
        ("fiber_links", "route_factor", 0.8, "expected a value >= 1"),
    ],
)
def test_bad_network_cell(table, column, value, expected):
    t = net_tables()
    t[table].loc[0, column] = value
    assert_at(only(problems_of(t)), f"{table}.csv", 2, column, expected)


def test_corridor_to_itself_and_given_twice():
    t = net_tables()
    rev = t["transmission"].iloc[[0]].copy()
    rev["from_region"], rev["to_region"] = "TN", "TX"
    self_loop = t["transmission"].iloc[[0]].copy()
    self_loop["to_region"] = "TX"
    t["transmission"] = pd.concat([t["transmission"], rev, self_loop], ignore_index=True)
    p1, p2 = problems_of(t)
    assert_at(p1, "transmission.csv", 3, "from_region", "corridor TN-TX is given twice", "rows 2 and 3", "reverse_capacity_mw")
    assert_at(p2, "transmission.csv", 4, "to_region", "corridor from 'TX' to itself")


def test_a_link_given_twice_the_same_way_is_one_duplicate_key():
    t = net_tables()
    t["fiber_links"] = pd.concat([t["fiber_links"]] * 2, ignore_index=True)
    assert_at(only(problems_of(t)), "fiber_links.csv", 3, "site_a", "duplicate key (site_a=s1, site_b=s2)")


def test_fiber_link_to_itself():
    t = net_tables()
    t["fiber_links"].loc[0, "site_b"] = "s1"
    assert_at(only(problems_of(t)), "fiber_links.csv", 2, "site_b", "fiber link from 's1' to itself")


def test_a_bad_site_is_not_also_an_unknown_link_end():
    t = net_tables()
    t["sites"].loc[1, "max_it_mw"] = "lots"
    assert_at(only(problems_of(t)), "sites.csv", 3, "max_it_mw", "expected a number")


def named(*rows) -> pd.DataFrame:
    return pd.DataFrame([{"supercluster": c, "site": s, **SRC} for c, s in rows])


def test_named_supercluster_unknown_site():
    t = net_tables(superclusters=named(("pair", "s1"), ("pair", "s3")))
    assert_at(only(problems_of(t)), "superclusters.csv", 3, "site", "unknown site 's3'; expected one of: s1, s2")


def test_a_bad_member_row_does_not_make_a_one_site_supercluster():
    t = net_tables(superclusters=named(("pair", "s1"), ("pair", "s2")))
    t["superclusters"].loc[1, "source_year"] = "soon"
    assert_at(only(problems_of(t)), "superclusters.csv", 3, "source_year", "expected a whole number")


def test_named_supercluster_with_one_site():
    t = net_tables(superclusters=named(("solo", "s1")))
    assert_at(only(problems_of(t)), "superclusters.csv", 2, "site", "supercluster 'solo' has one site")


def test_named_supercluster_over_the_latency_budget():
    """s1-s2 is 13.05 ms round trip: fine at the default 20 ms, an error at 10 ms."""
    t = net_tables(superclusters=named(("pair", "s1"), ("pair", "s2")))
    scenario_from_tables(t)
    p = only(problems_of(t, {"network.latency_budget_ms": 10}))
    assert_at(
        p, "superclusters.csv", 3, "site",
        "supercluster 'pair': sites 's1' and 's2' are 13.0 ms apart round trip over fiber (path s1 - s2)",
        "above network.latency_budget_ms = 10 ms (set in overrides)", "add a fiber link, raise the budget or drop a member",
    )


def test_named_supercluster_without_a_fiber_path():
    t = net_tables(superclusters=named(("pair", "s1"), ("pair", "s2")))
    t["fiber_links"] = t["fiber_links"].iloc[0:0]
    p = only(problems_of(t))
    assert_at(p, "superclusters.csv", 3, "site", "sites 's1' and 's2' are not connected by fiber", "add a fiber link or drop a member")


def test_named_supercluster_budget_from_the_default_and_from_the_file():
    t = net_tables(superclusters=named(("pair", "s1"), ("pair", "s2")))
    t["fiber_links"].loc[0, "distance_km"] = 2500  # 24.5 ms round trip
    assert "network.latency_budget_ms = 20 ms (the default)" in only(problems_of(t)).message
    extra = pd.DataFrame([{"name": "network.latency_budget_ms", "value": 24, "unit": "ms", "description": "-", **SRC}])
    t["parameters"] = pd.concat([t["parameters"], extra], ignore_index=True)
    row = len(t["parameters"]) + 1
    assert f"network.latency_budget_ms = 24 ms (parameters.csv row {row})" in only(problems_of(t)).message


def test_a_broken_fiber_link_does_not_also_break_the_supercluster():
    t = net_tables(superclusters=named(("pair", "s1"), ("pair", "s2")))
    t["fiber_links"].loc[0, "bandwidth_tbps"] = "fast"
    assert_at(only(problems_of(t)), "fiber_links.csv", 2, "bandwidth_tbps", "expected a number")


def test_auto_names_are_reserved():
    t = net_tables(superclusters=named(("auto_1", "s1"), ("auto_1", "s2")))
    assert_at(only(problems_of(t)), "superclusters.csv", 2, "supercluster", "'auto_1' is reserved")


def test_cell_override_on_a_network_table():
    scn = scenario_from_tables(net_tables(), overrides={"transmission.TX.TN.capacity_mw": 1200})
    assert power_graph(scn).edges["TX", "TN"]["capacity_mw"] == 1200


def test_cli_validate_reports_network_problems(tmp_path):
    t = net_tables()
    t["transmission"].loc[0, "capacity_mw"] = -100
    t["fiber_links"].loc[0, "site_b"] = "nowhere"
    folder = tmp_path / "scn"
    folder.mkdir()
    for name, df in t.items():
        df.to_csv(folder / f"{name}.csv", index=False)
    (folder / "scenario.yaml").write_text(yaml.safe_dump({"name": "bad-network"}))
    r = runner.invoke(app, ["validate", str(folder)])
    assert r.exit_code == 1, r.output
    assert "2 problem(s)" in r.output
    assert "transmission.csv, row 2, column 'capacity_mw': got '-100'; expected a value >= 0" in r.output
    assert "fiber_links.csv, row 2, column 'site_b': unknown site 'nowhere'" in r.output


# ----- the bundled default ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def default():
    return dcplan.load_scenario()


def test_default_has_the_network_tables(default):
    assert len(default.tables["transmission"]) >= 17
    assert len(default.tables["fiber_links"]) >= 23
    assert set(default.tables["superclusters"]["supercluster"]) == {"fairwater", "stargate_texas"}
    for name, v in NETWORK_DEFAULTS.items():
        assert default.params[name] == v


def test_default_power_graph(default):
    g = power_graph(default)
    assert set(g.nodes) == set(default.regions.index) and len(g) == len(default.regions) >= 16
    assert g.number_of_edges() == 2 * len(default.tables["transmission"])
    assert g.edges["TX", "OK"]["capacity_mw"] == 820  # ERCOT-SPP DC ties
    assert g.edges["TX", "LA"]["capacity_mw"] == 0 and g.edges["TX", "LA"]["max_expansion_mw"] > 0
    assert (g.edges["IA", "LA"]["capacity_mw"], g.edges["LA", "IA"]["capacity_mw"]) == (3000, 2500)  # MISO N->S, S->N
    assert nx.is_weakly_connected(g)
    assert g.nodes["TX"]["headroom_mw"] == default.headroom_mw("TX", 2026)


def test_default_fiber_graph(default):
    g = fiber_graph(default)
    assert len(g) == len(default.sites) and g.number_of_edges() == len(default.tables["fiber_links"])
    e = g.edges["mount_pleasant_wi", "atlanta_ga"]  # Microsoft's Fairwater AI WAN
    assert e["great_circle_km"] == pytest.approx(1072, abs=5)
    assert e["rtt_ms"] == pytest.approx(2 * e["great_circle_km"] * 1.4 * 4.9 / 1000)
    assert all(d["bandwidth_tbps"] >= 4000 for _, _, d in g.edges(data=True))
    # the named campuses are joined by fiber; a state's aggregated entry is not one place and has none
    linked = [n for n in g if g.degree(n) > 0]
    assert len(linked) >= 24 and nx.is_connected(g.subgraph(linked))


def test_default_superclusters(default):
    g = fiber_graph(default)
    named_ = {c.name: c for c in named_superclusters(default, g)}
    assert named_["fairwater"].sites == ("atlanta_ga", "mount_pleasant_wi")
    assert named_["fairwater"].max_rtt_ms == pytest.approx(14.7, abs=0.1)
    assert all(c.within(default.params["network.latency_budget_ms"]) for c in named_.values())
    found = find_superclusters(g)
    assert found and all(len(c.sites) >= 2 and c.within(20) for c in found)
    assert any({"abilene_tx", "shackelford_tx", "milam_tx"} <= set(c.sites) for c in found)
    t = supercluster_table(default)
    assert len(t) == (len(named_) + len(found)) * len(default.years)
    assert (t["max_power_mw"] == t["max_grid_mw"] + t["max_onsite_gas_mw"]).all()
    assert (t["power_available_mw"] <= t["max_power_mw"] + 1e-6).all()
