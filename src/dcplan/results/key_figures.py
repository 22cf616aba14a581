"""Key figures of a solve, read straight from HiGHS's solution arrays (no Pyomo values).

A sweep needs a few numbers per scenario, not 18 tables: :class:`KeyFigures` holds them as plain
floats, dicts and tuples (picklable, no Pyomo objects). :class:`LabelIndex` is built once per LP
structure from the column and row labels (component name and index of each column and row); a
variant's figures are then a handful of numpy reductions over the solution arrays. The
definitions match the full :class:`dcplan.Results` tables (docs/results.md, "Key figures").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from scipy import sparse

from dcplan.model.coefficients import HOURS_PER_YEAR, unit_costs
from dcplan.model.registry import COLUMN_FAMILIES, ROW_FAMILIES
from dcplan.model.sets import ModelSets
from dcplan.results.shadow_prices import BINDING_TOL_USD
from dcplan.scenario.scenario import Scenario
from dcplan.scenario.schema import SITE_ASSETS

UNSERVED_VARIABLES = ("unmet", "unmet_training")
"""Variables whose objective terms are the value of unserved demand (reported apart from the plan's cost)."""
ENERGY_VARIABLES = ("grid", "onsite")
"""Variables of power delivered to sites, (..., year, slice): grid draw and on-site generation."""


@dataclass(frozen=True)
class KeyFigures:
    """The compact answer of one solve (all money in USD; per-year dicts keyed by year).

    - ``objective_usd`` = ``plan_cost_usd`` + ``unserved_cost_usd`` (present values, discounted
      to the first year); ``unserved_cost_usd`` is the objective's unmet-demand and unhosted
      training terms.
    - ``plan_cost_pv_usd``: year -> the plan's cost paid in that year, present value (the
      ``costs`` table's ``cost_pv_usd`` summed over its categories but the unserved-demand ones);
      sums to ``plan_cost_usd``.
    - ``compute_online_h100e``, ``unmet_h100e``, ``demand_h100e``: as the ``compute`` table.
    - ``mw_online``: asset -> year -> capacity in service summed over sites (MW; MVA for
      transformers), as the ``capacity`` table's ``online``.
    - ``energy_twh``: grid + on-site generation per year (the ``power`` table's ``energy_mwh`` / 1e6).
    - ``shadow_prices``: family -> year -> highest shadow price of a member, USD per unit in
      year-y dollars, summed over time slices (as ``bottlenecks.max_shadow_price_usd_per_unit``);
      families without a year index (``site_max``, ``transmission_max``) are left out. These are
      the raw duals: whether they hold for one unit (ranging, one-unit re-solves,
      results/realised.py) is checked only for the full results, never on this fast path.
    - ``binding``: year -> limit families (``model/registry.py`` role ``limit``) with a binding
      member that year, highest (raw) shadow price first; balances and definitional rows are
      priced in ``shadow_prices`` but never listed here.
    - ``solver``: status, timings (seconds), iterations, warm start, rebuild, LP size.
    """

    scenario: str
    status: str
    objective_usd: float
    plan_cost_usd: float
    unserved_cost_usd: float
    plan_cost_pv_usd: dict[int, float]
    compute_online_h100e: dict[int, float]
    demand_h100e: dict[int, float]
    unmet_h100e: dict[int, float]
    mw_online: dict[str, dict[int, float]]
    energy_twh: dict[int, float]
    shadow_prices: dict[str, dict[int, float]]
    binding: dict[int, tuple[str, ...]]
    solver: dict = field(default_factory=dict)

    @property
    def optimal(self) -> bool:
        return self.status == "Optimal"

    def to_dict(self) -> dict:
        """As nested plain dicts (JSON-ready once keys are strings)."""
        return asdict(self)

    def flat(self) -> dict[str, object]:
        """One flat row for a sweep table: ``compute_online_h100e.2030``, ``mw_online.shell.2030``,
        ``shadow_price.cowos_supply.2030``, ``binding.2030`` (comma-joined), ``solver.iterations``..."""
        row: dict[str, object] = {
            "scenario": self.scenario, "status": self.status, "objective_usd": self.objective_usd,
            "plan_cost_usd": self.plan_cost_usd, "unserved_cost_usd": self.unserved_cost_usd,
        }
        for name in ("plan_cost_pv_usd", "compute_online_h100e", "demand_h100e", "unmet_h100e", "energy_twh"):
            row.update({f"{name}.{y}": v for y, v in getattr(self, name).items()})
        for a, by_year in self.mw_online.items():
            row.update({f"mw_online.{a}.{y}": v for y, v in by_year.items()})
        for f, by_year in self.shadow_prices.items():
            row.update({f"shadow_price.{f}.{y}": v for y, v in by_year.items()})
        row.update({f"binding.{y}": ",".join(fs) for y, fs in self.binding.items()})
        row.update({f"solver.{k}": v for k, v in self.solver.items()})
        return row


def _is_limit(family: str) -> bool:
    fam = ROW_FAMILIES.get(family) or COLUMN_FAMILIES.get(family)
    return fam is not None and fam.is_limit


def _idx(i) -> tuple:
    return i if isinstance(i, tuple) else (i,)


class LabelIndex:
    """Where each key figure's columns and rows sit in the LP, computed once per structure.

    `columns` and `rows` are (component name, index) per LP column / row, in LP order.
    """

    def __init__(
        self,
        sets: ModelSets,
        columns: Sequence[tuple[str, object]],
        rows: Sequence[tuple[str, object]],
        assets: Sequence[str] = SITE_ASSETS,
    ):
        self.assets = list(assets)
        self.sets = sets
        self.columns = list(columns)
        self._pay: _PaymentYears | None = None
        self.years = list(sets.years)
        ypos = {y: k for k, y in enumerate(self.years)}
        ny = len(self.years)
        self.slice_w = {t: h / HOURS_PER_YEAR for t, h in sets.slices.items()}
        gens = {g: k for k, g in enumerate(sets.gens)}
        use_j, use_g, use_y, use_w = [], [], [], []
        unmet_j, unmet_y, unmet_w = [], [], []
        energy_j, energy_y, energy_h = [], [], []
        unserved = []
        early_j, early_y, early_f = [], [], []
        b_rows, b_cols = [], []
        apos = {a: k for k, a in enumerate(self.assets)}
        for j, (name, i) in enumerate(columns):
            i = _idx(i)
            if name == "use":
                g, _, y, t = i
                use_j.append(j)
                use_g.append(gens[g])
                use_y.append(ypos[y])
                use_w.append(self.slice_w[t])
            elif name in UNSERVED_VARIABLES:
                unserved.append(j)
                if name == "unmet":
                    y, t = i[0], i[1]  # (year, slice, tranche)
                    unmet_j.append(j)
                    unmet_y.append(ypos[y])
                    unmet_w.append(self.slice_w[t])
            elif name in ENERGY_VARIABLES:
                y, t = i[-2], i[-1]
                energy_j.append(j)
                energy_y.append(ypos[y])
                energy_h.append(sets.slices[t])
            elif name == "build":
                a, s, v = i
                for y in self.years:
                    if v in sets.builds_online(a, s, y):
                        b_rows.append(apos[a] * ny + ypos[y])
                        b_cols.append(j)
            elif name == "early":
                a, s, v = i
                early_j.append(j)
                early_y.append(v + sets.lead[a, s] - 1)
                early_f.append("lead_time")
            elif name == "early_ship":
                _, _, v = i
                early_j.append(j)
                early_y.append(v)
                early_f.append("gpu_availability")
        ar = np.asarray
        self.use_j, self.use_g, self.use_y, self.use_w = ar(use_j, int), ar(use_g, int), ar(use_y, int), ar(use_w, float)
        self.unmet_j, self.unmet_y, self.unmet_w = ar(unmet_j, int), ar(unmet_y, int), ar(unmet_w, float)
        self.energy_j, self.energy_y, self.energy_h = ar(energy_j, int), ar(energy_y, int), ar(energy_h, float)
        self.unserved = ar(unserved, int)
        self.build_online = sparse.csr_array(
            (np.ones(len(b_rows)), (ar(b_rows, int), ar(b_cols, int))), shape=(len(self.assets) * ny, len(columns))
        )
        # shadow prices: one group per (family, index without the slice); each group has a year
        fam_names = [f for f in ROW_FAMILIES if "year" in ROW_FAMILIES[f].index]
        fam_pos = {f: k for k, f in enumerate(fam_names)}
        groups: dict[tuple, int] = {}
        r_j, r_g, r_lpu = [], [], []
        g_fam, g_year = [], []
        for r, (name, i) in enumerate(rows):
            fam = ROW_FAMILIES.get(name)
            if fam is None or name not in fam_pos:
                continue
            key = dict(zip(fam.index, _idx(i), strict=False))
            gkey = (name, *(v for k, v in key.items() if k != "slice"))
            g = groups.get(gkey)
            if g is None:
                g = groups[gkey] = len(groups)
                g_fam.append(fam_pos[name])
                g_year.append(int(key["year"]))
            r_j.append(r)
            r_g.append(g)
            r_lpu.append(fam.lp_per_unit)
        self.fam_names = fam_names
        self.row_j, self.row_g, self.row_lpu = ar(r_j, int), ar(r_g, int), ar(r_lpu, float)
        self.group_fam, self.group_year = ar(g_fam, int), ar(g_year, int)
        self.col_fams = list(COLUMN_FAMILIES)
        self.early_j, self.early_year = ar(early_j, int), ar(early_y, int)
        self.early_fam = ar([self.col_fams.index(f) for f in early_f], int)
        self.early_lpu = ar([COLUMN_FAMILIES[f].lp_per_unit for f in early_f], float)

    # ------------------------------------------------------------------------------------------
    def figures(
        self,
        scn: Scenario,
        params: Mapping[str, Any],
        *,
        status: str,
        objective_musd: float,
        cost: np.ndarray,
        col_value: np.ndarray,
        col_dual: np.ndarray,
        row_dual: np.ndarray,
        row_upper_finite: np.ndarray,
        solver: dict | None = None,
    ) -> KeyFigures:
        """Key figures of one solution. `cost` is the LP's objective vector ($M per LP unit,
        present value); `params` the parameter values the LP was given (``param_values``);
        `row_upper_finite` marks rows with an upper bound (their dual sign is flipped, as in
        ``shadow_prices``)."""
        years, ny = self.years, len(self.years)
        x = col_value
        gs = scn.gpu_spec
        h100e = np.array([gs[g]["h100e_per_gpu"] if g in gs else np.nan for g in params["h100e_per_gpu"]], dtype=float)
        comp = np.bincount(self.use_y, weights=x[self.use_j] * self.use_w * h100e[self.use_g], minlength=ny) * 1e3
        unmet = np.bincount(self.unmet_y, weights=x[self.unmet_j] * self.unmet_w, minlength=ny) * 1e3
        lf = float(scn.params["operations.load_factor"])
        energy = np.bincount(self.energy_y, weights=x[self.energy_j] * self.energy_h, minlength=ny) * lf / 1e6
        na = len(self.assets)
        built = (self.build_online @ x).reshape(na, ny)
        pipe = np.zeros((na, ny))
        apos = {a: k for k, a in enumerate(self.assets)}
        ypos = {y: k for k, y in enumerate(years)}
        for (a, _, y), v in params["pipeline_online"].items():
            pipe[apos[a], ypos[y]] += v
        online = built + pipe
        unserved = float(cost[self.unserved] @ x[self.unserved]) * 1e6 if len(self.unserved) else 0.0
        objective = objective_musd * 1e6
        disc = {y: scn.discount_factor(y) for y in years}
        if self._pay is None:
            self._pay = _PaymentYears(scn, self.sets, self.columns, years)
        plan_by_year = self._pay.plan_cost_pv_usd(scn, cost, x, np.array([disc[y] for y in years]))
        sp, binding = self._prices(row_dual, row_upper_finite, col_dual, disc)
        return KeyFigures(
            scenario=scn.name,
            status=status,
            objective_usd=objective,
            plan_cost_usd=objective - unserved,
            unserved_cost_usd=unserved,
            plan_cost_pv_usd=dict(zip(years, plan_by_year.tolist(), strict=False)),
            compute_online_h100e=dict(zip(years, comp.tolist(), strict=False)),
            demand_h100e={y: scn.demand_h100e_millions(y) * 1e6 for y in years},
            unmet_h100e=dict(zip(years, unmet.tolist(), strict=False)),
            mw_online={a: dict(zip(years, online[k].tolist(), strict=False)) for k, a in enumerate(self.assets)},
            energy_twh=dict(zip(years, energy.tolist(), strict=False)),
            shadow_prices=sp,
            binding=binding,
            solver=dict(solver or {}),
        )

    def _prices(self, row_dual, upper, col_dual, disc: dict[int, float]):
        years = self.years
        sp: dict[str, dict[int, float]] = {}
        best: dict[int, dict[str, float]] = {y: {} for y in years}
        if len(self.row_j):
            d = row_dual[self.row_j]
            pv = np.where(upper[self.row_j], -d, d) * 1e6 * self.row_lpu
            year_of_row = self.group_year[self.row_g]
            df = np.array([disc[y] for y in years])[np.searchsorted(years, year_of_row)]
            ng = len(self.group_fam)
            annual = np.bincount(self.row_g, weights=pv / df, minlength=ng)
            bind = np.bincount(self.row_g, weights=(np.abs(pv) > BINDING_TOL_USD).astype(float), minlength=ng) > 0
            self._reduce(annual, bind, self.group_fam, self.group_year, self.fam_names, sp, best)
        if len(self.early_j):
            pv = np.maximum(-col_dual[self.early_j], 0.0) * 1e6 * self.early_lpu
            ok = np.isin(self.early_year, years)
            df = np.ones(len(self.early_year))
            df[ok] = np.array([disc[y] for y in years])[np.searchsorted(years, self.early_year[ok])]
            self._reduce((pv / df)[ok], (pv > BINDING_TOL_USD)[ok], self.early_fam[ok], self.early_year[ok], self.col_fams, sp, best)
        binding = {
            y: tuple(f for f, _ in sorted(best[y].items(), key=lambda kv: -kv[1]) if _is_limit(f)) for y in years
        }
        return sp, binding

    @staticmethod
    def _reduce(value, bind, fam, year, names, sp, best) -> None:
        """Per family and year: the highest member value; families with a binding member into `best`."""
        if not len(value):
            return
        key = fam.astype(np.int64) * 10_000 + year
        order = np.lexsort((-value, key))
        first = np.ones(len(order), bool)
        first[1:] = key[order][1:] != key[order][:-1]
        uk, inv = np.unique(key, return_inverse=True)
        anyb_k = np.bincount(inv, weights=bind.astype(float), minlength=len(uk)) > 0
        for k in order[first]:
            f, y = names[int(fam[k])], int(year[k])
            sp.setdefault(f, {})[y] = float(value[k])
            if anyb_k[np.searchsorted(uk, key[k])]:
                best.setdefault(y, {})[f] = float(value[k])


class _PaymentYears:
    """In which years each LP column's cost is paid, computed once per LP structure.

    Every cost term of a column (model/coefficients.py `unit_costs`) is a constant rate over a set
    of payment years that the sets fix (lead times, lifetimes, the horizon); a column's terms
    share one set of years. Its objective coefficient is then ``rate x sum of discount factors
    over those years``, so the present value it adds in year y is
    ``cost_j x_j x df(y) / sum_{y' in years_j} df(y')``: a sparse column x year matrix and two
    products per solve. A column whose terms are paid in different years, or that had no cost
    term when the index was built, is split by its `unit_costs` at each solve instead (none in
    the default; kept so the split is right whatever the inputs).
    """

    def __init__(self, scn: Scenario, sets: ModelSets, columns: Sequence[tuple[str, object]], years: list[int]):
        ypos = {y: k for k, y in enumerate(years)}
        rows_j: list[int] = []
        rows_y: list[int] = []
        cols: list[int] = []
        self.other: list[tuple[int, str, tuple]] = []
        self.sets = sets
        for j, (name, i) in enumerate(columns):
            if name in UNSERVED_VARIABLES:
                continue
            try:
                terms = unit_costs(scn, sets, name, _idx(i))
            except KeyError:  # not a cost variable
                continue
            pay = {t.years for t in terms}
            if len(pay) != 1:
                self.other.append((j, name, _idx(i)))
                continue
            k = len(cols)
            cols.append(j)
            for y in next(iter(pay)):
                rows_j.append(k)
                rows_y.append(ypos[y])
        ar = np.asarray
        self.cols = ar(cols, int)
        self.pay = sparse.csr_array((np.ones(len(rows_j)), (ar(rows_j, int), ar(rows_y, int))), shape=(len(cols), len(years)))
        self.ypos = ypos

    def plan_cost_pv_usd(self, scn: Scenario, cost: np.ndarray, x: np.ndarray, df: np.ndarray) -> np.ndarray:
        """PV USD of the plan's cost by payment year (in the order of the years)."""
        out = np.zeros(len(df))
        if len(self.cols):
            pv = cost[self.cols] * x[self.cols]
            denom = self.pay @ df
            rate = np.divide(pv, denom, out=np.zeros_like(pv), where=denom > 0)
            out += (self.pay.T @ rate) * df
        for j, name, i in self.other:
            if x[j] and cost[j]:
                for t in unit_costs(scn, self.sets, name, i):
                    for y in t.years:
                        out[self.ypos[y]] += x[j] * t.musd_per_unit_year * df[self.ypos[y]]
        return out * 1e6
