"""Checks of geography and the network tables: site coordinates against their state, ids in
transmission.csv / fiber_links.csv / superclusters.csv, and hand-named superclusters against
the latency budget.

Same rules as checks.py: only what passed its own validation is checked, so one bad cell gives
one problem (a link whose site failed validation is not 'unknown'; a supercluster is not
checked against the budget while a fiber link or a site it may depend on is broken).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from dcplan.errors import InputProblem
from dcplan.scenario.cache import FIBER_GRAPHS, frame_key
from dcplan.scenario.checks import ParamWhere, _ids, _unknown

NETWORK_PARAMS = ("network.latency_budget_ms", "network.fiber_us_per_km", "network.route_factor")


def _references(raw: Mapping[str, pd.DataFrame], labels: Mapping[str, str]) -> list[InputProblem]:
    out: list[InputProblem] = []
    sites, regions = _ids(raw, "sites", "site"), _ids(raw, "regions", "region")
    for table, col, known, what in (
        ("transmission", "from_region", regions, "region"),
        ("transmission", "to_region", regions, "region"),
        ("fiber_links", "site_a", sites, "site"),
        ("fiber_links", "site_b", sites, "site"),
        ("superclusters", "site", sites, "site"),
    ):
        df = raw.get(table)
        if known is None or df is None or col not in df.columns:
            continue
        for i, v in zip(df.index, df[col], strict=False):
            v = str(v).strip()
            if v and v not in known:
                out.append(_unknown(labels[table], int(i) + 2, col, v, known, what))
    return out


def _pair_rules(typed: Mapping[str, pd.DataFrame], labels: Mapping[str, str]) -> list[InputProblem]:
    """A corridor or link joins two different ends, and is given once (either way round)."""
    out: list[InputProblem] = []
    for table, a_col, b_col, what in (
        ("transmission", "from_region", "to_region", "corridor"),
        ("fiber_links", "site_a", "site_b", "fiber link"),
    ):
        df = typed.get(table)
        if df is None or df.empty:
            continue
        seen: dict[frozenset, tuple[int, str]] = {}
        for i, a, b in zip(df.index, df[a_col], df[b_col], strict=False):
            row = int(i) + 2
            if a == b:
                out.append(InputProblem(labels[table], f"{what} from '{a}' to itself; expected two different ends", row, b_col))
                continue
            key = frozenset((a, b))
            if key in seen and seen[key][1] == a:
                continue  # the same key twice: reported as a duplicate key
            if key in seen:
                hint = "; use reverse_capacity_mw for an asymmetric limit" if table == "transmission" else ""
                out.append(
                    InputProblem(
                        labels[table],
                        f"{what} {a}-{b} is given twice (rows {seen[key][0]} and {row}, one of them written the other "
                        f"way round); a {what} is one row for both directions{hint}",
                        row,
                        a_col,
                    )
                )
            else:
                seen[key] = (row, a)
    return out


def _named_superclusters(
    typed: Mapping[str, pd.DataFrame],
    raw: Mapping[str, pd.DataFrame],
    params: Mapping[str, float],
    labels: Mapping[str, str],
    where: ParamWhere,
    memo: dict[str, object] | None = None,
) -> list[InputProblem]:
    """Each named supercluster has two or more sites, every pair joined by fiber within the
    latency budget."""
    sc = typed.get("superclusters")
    if sc is None or sc.empty:
        return []
    out: list[InputProblem] = []
    label = labels["superclusters"]
    rows: dict[str, list[tuple[int, str]]] = {}
    for i, name, site in zip(sc.index, sc["supercluster"], sc["site"], strict=False):
        rows.setdefault(name, []).append((int(i) + 2, site))
    from dcplan.network.superclusters import AUTO_PREFIX

    for name, members in rows.items():
        if name.startswith(AUTO_PREFIX) and name[len(AUTO_PREFIX):].isdigit():
            out.append(
                InputProblem(
                    label,
                    f"supercluster name '{name}' is reserved for superclusters found from the fiber graph; choose another",
                    members[0][0],
                    "supercluster",
                )
            )
    # counting members and the latency check need the rows intact; the latency check also
    # every site and link, and valid network parameters
    raw_sc = raw.get("superclusters")
    sc_intact = raw_sc is not None and len(sc) == len(raw_sc)
    intact = (
        sc_intact
        and all(k in params for k in NETWORK_PARAMS)
        and raw.get("sites") is not None and len(typed["sites"]) == len(raw["sites"])
        and raw.get("fiber_links") is not None and len(typed["fiber_links"]) == len(raw["fiber_links"])
    )
    known_sites = set(typed["sites"]["site"])
    fiber = None
    if intact:
        from dcplan.network.superclusters import named_superclusters

        fiber = _fiber(typed, params, {} if memo is None else memo)
        named = {c.name: c for c in named_superclusters(sc, fiber)}
    budget = params.get("network.latency_budget_ms", math.inf)  # present whenever `fiber` is (intact)
    bfile, brow, bcol = where.get("network.latency_budget_ms", (labels["parameters"], None, "name"))
    if bcol == "overrides":
        bwhere = f"set in {bfile}"
    elif brow is None:
        bwhere = "the default"
    else:
        bwhere = f"{bfile} row {brow}"
    for name, members in rows.items():
        if len(members) == 1:
            if sc_intact:
                out.append(
                    InputProblem(
                        label,
                        f"supercluster '{name}' has one site ('{members[0][1]}'); a supercluster needs two or more",
                        members[0][0],
                        "site",
                    )
                )
            continue
        if fiber is None or any(s not in known_sites for _, s in members):
            continue
        c = named[name]
        bad = [(p, r) for p, r in sorted(c.rtt_ms.items()) if not r <= budget * (1 + 1e-9) + 1e-9]
        if not bad:
            continue
        (a, b), rtt = max(bad, key=lambda pr: pr[1])
        row = max(r for r, s in members if s in (a, b))
        more = f"; {len(bad)} member pairs in all do not fit" if len(bad) > 1 else ""
        if math.isinf(rtt):
            msg = (f"supercluster '{name}': sites '{a}' and '{b}' are not connected by fiber (no path over "
                   f"{labels['fiber_links']}){more}; add a fiber link or drop a member")
        else:
            path = " - ".join(c.paths[(a, b)])
            msg = (f"supercluster '{name}': sites '{a}' and '{b}' are {rtt:.1f} ms apart round trip over fiber "
                   f"(path {path}), above network.latency_budget_ms = {budget:g} ms ({bwhere}){more}; "
                   "add a fiber link, raise the budget or drop a member")
        out.append(InputProblem(label, msg, row, "site"))
    return out


def geo_checks(
    typed: dict[str, pd.DataFrame],
    params: dict[str, float],
    labels: dict[str, str],
    raw: dict[str, pd.DataFrame],
    where: ParamWhere | None = None,
    memo: dict[str, object] | None = None,
) -> list[InputProblem]:
    """Return every problem of geography and of the network tables (arguments as for
    :func:`dcplan.scenario.checks.cross_checks`). The fiber graph built for the checks, if any, is
    left in `memo["fiber"]` (so the scenario need not build it again)."""
    from dcplan.geo.sites import check_site_states

    where = where or {}
    out = _references(raw, labels) + _pair_rules(typed, labels)
    sites = typed.get("sites")
    regions = _ids(raw, "regions", "region")
    if sites is not None and len(sites) and regions is not None:
        out += check_site_states(sites[sites["region"].isin(regions)], labels["sites"])
    memo = {} if memo is None else memo  # one fiber graph for both checks
    return out + _named_superclusters(typed, raw, params, labels, where, memo) + _training_hosts(typed, raw, params, labels, memo)


def _fiber(typed: Mapping[str, pd.DataFrame], params: Mapping[str, float], memo: dict[str, object]):
    """The fiber graph of the typed tables, built once per validation (and kept in the
    validation cache by the tables' content and the network parameters; each validation gets
    its own copy)."""
    if "fiber" not in memo:
        from dcplan.network.fiber import build_fiber_graph, network_params

        sites, links = typed["sites"], typed["fiber_links"]
        key = (frame_key(sites), frame_key(links), tuple(sorted(network_params(params).items())))
        memo["fiber"] = FIBER_GRAPHS.get(key, lambda: build_fiber_graph(sites, links, params)).copy()
    return memo["fiber"]


def _training_hosts(
    typed: Mapping[str, pd.DataFrame],
    raw: Mapping[str, pd.DataFrame],
    params: Mapping[str, float],
    labels: Mapping[str, str],
    memo: dict[str, object] | None = None,
) -> list[InputProblem]:
    """Each training run names a supercluster (named, or found from the fiber graph) or a site."""
    tr = typed.get("training")
    if tr is None or tr.empty:
        return []
    tables = ("sites", "fiber_links", "superclusters")
    if not all(k in params for k in NETWORK_PARAMS) or any(
        raw.get(k) is None or len(typed[k]) != len(raw[k]) for k in tables
    ):
        return []  # the rows these names refer to failed validation and are reported already
    from dcplan.network.superclusters import training_hosts, unknown_host_message

    fiber = _fiber(typed, params, {} if memo is None else memo)
    hosts = training_hosts(typed["sites"]["site"], typed["superclusters"], fiber)
    return [
        InputProblem(labels["training"], unknown_host_message(name, hosts, labels["sites"]), int(i) + 2, "supercluster")
        for i, name in zip(tr.index, tr["supercluster"], strict=False)
        if name not in hosts
    ]
