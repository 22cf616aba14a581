"""The sweep spec: a YAML file naming a base scenario, a sampler and the parameters it varies.

`load_spec(path)` reads and checks it; every problem names the spec key at fault and is raised
before anything runs (see docs/sweeps.md for the format). Parameter paths are the override paths
of scenario.yaml and `--set` (`scenario/overrides.py`), including `*` wildcards in table keys.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from scipy import stats

from dcplan.errors import InputError, InputProblem

SAMPLERS = ("grid", "list", "lhs", "mc", "morris")
KpiGroup = Literal["cost", "compute", "unmet", "capacity", "energy", "shadow_prices", "binding"]
KPIS: tuple[KpiGroup, ...] = ("cost", "compute", "unmet", "capacity", "energy", "shadow_prices", "binding")
"""KPI groups a sweep records (see docs/sweeps.md for the KPIs in each)."""

DISTS: dict[str, tuple[set[str], set[str]]] = {
    # name: (required fields, optional fields)
    "uniform": ({"low", "high"}, set()),
    "loguniform": ({"low", "high"}, set()),
    "triangular": ({"low", "mode", "high"}, set()),
    "normal": ({"mean", "sd"}, {"low", "high"}),
    "lognormal": ({"median", "sigma"}, {"low", "high"}),
    "integer": ({"low", "high"}, set()),
}
"""Distributions a parameter may be drawn from, with the fields each needs and accepts."""

MAX_MASS_OUTSIDE = 1e-3
"""A normal or lognormal may put at most this much probability outside the parameter's valid
range (it is then truncated to the range); more is a spec error asking for low/high."""


class SpecError(InputError):
    """A sweep spec that cannot run; each problem names the spec key at fault."""

    def __init__(self, problems: list[InputProblem]):
        super().__init__(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        self.args = (f"{len(self.problems)} problem(s) in the sweep spec:\n{lines}",)


class ParamSpecModel(BaseModel):
    """One swept parameter: discrete `values`, or a distribution `dist` with its fields."""

    model_config = ConfigDict(extra="forbid")
    values: list[float] | None = None
    dist: str | None = None
    low: float | None = None
    high: float | None = None
    mode: float | None = None
    mean: float | None = None
    sd: float | None = None
    median: float | None = None
    sigma: float | None = None


class SweepSpecModel(BaseModel):
    """The YAML file's shape (types only; meaning is checked by `check_spec`)."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_\-. ]+$")
    description: str = ""
    base: str = "default"
    sampler: Literal["grid", "list", "lhs", "mc", "morris"]
    samples: int | None = Field(default=None, ge=1, le=1_000_000)
    levels: int = Field(default=4, ge=2, le=100)
    seed: int = 0
    parameters: dict[str, ParamSpecModel] = Field(default_factory=dict)
    scenarios: list[dict[str, Any]] | None = None
    overrides: dict[str, Any] = Field(default_factory=dict)
    kpis: list[KpiGroup] = Field(default_factory=lambda: list(KPIS))


@dataclass(frozen=True)
class Range:
    """A parameter's valid range from the scenario schema (None: unbounded on that side)."""

    lo: float | None
    hi: float | None
    lo_open: bool = False
    hi_open: bool = False
    integer: bool = False

    def contains(self, v: float) -> bool:
        if self.lo is not None and (v < self.lo or (self.lo_open and v == self.lo)):
            return False
        if self.hi is not None and (v > self.hi or (self.hi_open and v == self.hi)):
            return False
        return not (self.integer and v != int(v))

    def describe(self) -> str:
        lo = "-inf" if self.lo is None else f"{self.lo:g}"
        hi = "inf" if self.hi is None else f"{self.hi:g}"
        s = f"{'(' if self.lo_open or self.lo is None else '['}{lo}, {hi}{')' if self.hi_open or self.hi is None else ']'}"
        return s + (" (whole numbers)" if self.integer else "")


@dataclass(frozen=True)
class Parameter:
    """A checked swept parameter: its path, how values are drawn and its valid range."""

    path: str
    values: tuple[float, ...] | None
    dist: str | None
    args: dict[str, float]
    valid: Range

    def from_unit(self, u):
        """Map unit-cube coordinates `u` (array in [0, 1]) to parameter values."""
        import numpy as np

        u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
        if self.values is not None:
            idx = np.minimum((u * len(self.values)).astype(int), len(self.values) - 1)
            return np.asarray(self.values)[idx]
        if self.dist == "integer":
            lo, hi = int(self.args["low"]), int(self.args["high"])
            return np.minimum(lo + np.floor(u * (hi - lo + 1)), hi)
        d, qlo, qhi = self.frozen()
        return d.ppf(qlo + u * (qhi - qlo))

    def from_level(self, level):
        """Map Morris levels in [0, 1] (0 and 1 the ends of the range) to parameter values."""
        import numpy as np

        level = np.asarray(level, dtype=float)
        if self.values is not None:
            idx = np.rint(level * (len(self.values) - 1)).astype(int)
            return np.asarray(self.values)[idx]
        if self.dist == "integer":
            lo, hi = int(self.args["low"]), int(self.args["high"])
            return np.rint(lo + level * (hi - lo))
        d, qlo, qhi = self.frozen()
        return d.ppf(qlo + level * (qhi - qlo))

    def frozen(self):
        """(scipy distribution, lower quantile, upper quantile): the distribution truncated to
        its own low/high and the parameter's valid range."""
        a = self.args
        if self.dist == "uniform":
            d = stats.uniform(a["low"], a["high"] - a["low"])
        elif self.dist == "loguniform":
            d = stats.loguniform(a["low"], a["high"])
        elif self.dist == "triangular":
            w = a["high"] - a["low"]
            d = stats.triang((a["mode"] - a["low"]) / w if w else 0.5, loc=a["low"], scale=w)
        elif self.dist == "normal":
            d = stats.norm(a["mean"], a["sd"])
        elif self.dist == "lognormal":
            d = stats.lognorm(a["sigma"], scale=a["median"])
        else:  # pragma: no cover - checked by check_spec
            raise ValueError(self.dist)
        lo = max(x for x in (a.get("low"), self.valid.lo, -math.inf) if x is not None)
        hi = min(x for x in (a.get("high"), self.valid.hi, math.inf) if x is not None)
        return d, float(d.cdf(lo)), float(d.cdf(hi))


@dataclass
class SweepSpec:
    """A checked sweep spec, ready for a sampler."""

    model: SweepSpecModel
    parameters: list[Parameter]
    base: str
    origin: str

    @property
    def name(self) -> str:
        return self.model.name

    def as_dict(self) -> dict:
        """The spec as plain data (for sweep.json)."""
        return self.model.model_dump(exclude_none=True)

    def digest(self) -> str:
        """A hash of what determines the design (so a rerun can tell it is the same sweep)."""
        d = self.model.model_dump(exclude={"description"})
        return hashlib.sha256(json.dumps(d, sort_keys=True, default=str).encode()).hexdigest()[:16]


# ----- reading -------------------------------------------------------------------------------------


def load_spec(path: str | Path) -> SweepSpec:
    """Read and check the sweep spec at `path`; raise SpecError naming every bad key."""
    p = Path(path)
    if not p.is_file():
        raise SpecError([InputProblem(str(p), "no such sweep spec file")])
    try:
        data = yaml.safe_load(p.read_text())
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        raise SpecError([InputProblem(p.name, f"not valid YAML: {e}", row=mark.line + 1 if mark else None)]) from None
    base_dir = p.parent
    return parse_spec(data, origin=p.name, base_dir=base_dir)


def parse_spec(data: Any, origin: str = "sweep spec", base_dir: Path | None = None, base_scenario=None) -> SweepSpec:
    """Check a spec given as a mapping. `base_scenario` (a Scenario) replaces loading `base`
    (tests and the Python API); otherwise `base` is 'default' or a folder relative to `base_dir`."""
    if not isinstance(data, dict):
        raise SpecError([InputProblem(origin, f"expected a mapping of spec keys, got {type(data).__name__}")])
    try:
        model = SweepSpecModel.model_validate(data)
    except ValidationError as e:
        raise SpecError([_pydantic_problem(origin, err) for err in e.errors()]) from None
    base = model.base
    if base != "default" and base_scenario is None:
        folder = Path(base)
        if not folder.is_absolute() and base_dir is not None:
            folder = (base_dir / folder).resolve()
        base = str(folder)
    spec = SweepSpec(model=model, parameters=[], base=base, origin=origin)
    spec.parameters = check_spec(spec, base_scenario)
    return spec


def _pydantic_problem(origin: str, err: Any) -> InputProblem:
    loc = ".".join(str(x) for x in err["loc"])
    if err["type"] == "extra_forbidden":
        return InputProblem(origin, f"unknown key '{loc}'", column=loc)
    if err["type"] == "literal_error" and err["loc"][0] == "sampler":
        return InputProblem(origin, f"unknown sampler {err.get('input')!r}; expected one of {', '.join(SAMPLERS)}", column=loc)
    if err["type"] == "literal_error" and err["loc"][0] == "kpis":
        return InputProblem(origin, f"unknown KPI {err.get('input')!r}; expected some of {', '.join(KPIS)}", column=loc)
    if err["type"] == "missing":
        return InputProblem(origin, f"'{loc}' is required", column=loc)
    return InputProblem(origin, f"{err.get('msg', 'invalid')} (got {err.get('input')!r})", column=loc)


# ----- checking ------------------------------------------------------------------------------------


def column_range(table: str, column: str) -> Range:
    """The valid range of a table column: its pydantic row model's bounds (ge/gt/le/lt), narrowed to
    the schema's sensible range (`schema.RANGES`) where it has one."""
    import typing

    from dcplan.scenario.schema import TABLES

    field = TABLES[table].row_model.model_fields[column]
    lo = hi = None
    lo_open = hi_open = False
    integer = False
    metas = list(field.metadata)
    ann = field.annotation
    for arg in (*typing.get_args(ann), ann):  # Optional[...] wraps the Annotated type
        metas += list(getattr(arg, "__metadata__", ()))
        inner = typing.get_args(arg)[0] if getattr(arg, "__metadata__", None) else arg
        integer = integer or inner is int
    for m in metas:
        for k in ("ge", "gt", "le", "lt"):
            v = getattr(m, k, None)
            if v is None:
                continue
            if k in ("ge", "gt"):
                lo, lo_open = float(v), k == "gt"
            else:
                hi, hi_open = float(v), k == "lt"
    from dcplan.scenario import schema

    sensible = getattr(schema, "RANGES", {}).get((table, column))  # the schema's sensible range, when it has one
    if sensible is not None:
        if lo is None or sensible.lo > lo:
            lo, lo_open = float(sensible.lo), False
        if hi is None or sensible.hi < hi:
            hi, hi_open = float(sensible.hi), False
    return Range(lo, hi, lo_open, hi_open, integer)


def path_range(path: str) -> Range | None:
    """The valid range of the value at override `path`, or None for a non-numeric column."""
    from dcplan.scenario.schema import PARAMETERS, TABLES

    if path in PARAMETERS:
        s = PARAMETERS[path]
        return Range(s.lo, s.hi, integer=s.integer)
    table, *_rest, column = path.split(".")
    if table in TABLES and column in TABLES[table].row_model.model_fields:
        r = column_range(table, column)
        ann = str(TABLES[table].row_model.model_fields[column].annotation)
        if "float" not in ann and "int" not in ann:
            return None
        return r
    return None


def _load_base(spec: SweepSpec, problems: list[InputProblem]):
    from dcplan.scenario.load import load_scenario

    try:
        return load_scenario(None if spec.base == "default" else spec.base)
    except InputError as e:
        problems.append(InputProblem(spec.origin, f"base scenario '{spec.model.base}' is not valid: {e}", column="base"))
        return None


def check_spec(spec: SweepSpec, base_scenario=None) -> list[Parameter]:
    """Check the spec's meaning against the scenario schema and the base scenario; return the
    swept parameters. Raises SpecError listing every problem (each naming its spec key)."""
    m, origin = spec.model, spec.origin
    problems: list[InputProblem] = []
    params: list[Parameter] = []
    for path, ps in m.parameters.items():
        params += _check_parameter(origin, path, ps, m, problems)
    _check_sampler(origin, m, params, problems)
    if problems:
        raise SpecError(problems)
    base = base_scenario if base_scenario is not None else _load_base(spec, problems)
    if base is not None:
        problems += _check_paths_exist(origin, base, m, params)
    if problems:
        raise SpecError(problems)
    return params


def _check_parameter(origin: str, path: str, ps: ParamSpecModel, m: SweepSpecModel, problems: list[InputProblem]) -> list[Parameter]:
    key = f"parameters.{path}"
    sampler = m.sampler
    from dcplan.scenario.overrides import split_overrides

    _, _, p = split_overrides({path: 0}, origin)
    if p:
        problems += [InputProblem(origin, x.message.removeprefix("override "), column=key) for x in p]
        return []
    valid = path_range(path)
    if valid is None:
        problems.append(InputProblem(origin, f"'{path}' is not a numeric parameter or column; it cannot be swept", column=key))
        return []
    given = {k for k, v in ps.model_dump().items() if v is not None and k not in ("values", "dist")}
    if (ps.values is None) == (ps.dist is None):
        problems.append(InputProblem(origin, "give either 'values: [...]' or 'dist: <name>' with its fields", column=key))
        return []
    if ps.values is not None:
        if given:
            problems.append(InputProblem(origin, f"'values' takes no distribution fields (got {', '.join(sorted(given))})", column=key))
        if not ps.values:
            problems.append(InputProblem(origin, "'values' is empty", column=key))
        bad = [v for v in ps.values if not math.isfinite(v) or not valid.contains(v)]
        if bad:
            problems.append(InputProblem(origin, f"value(s) {', '.join(f'{v:g}' for v in bad)} outside the valid range {valid.describe()}", column=key))
        if sampler == "morris" and ps.values and len(ps.values) != m.levels:
            problems.append(
                InputProblem(origin, f"morris with 'values' needs exactly levels = {m.levels} values (got {len(ps.values)})", column=key)
            )
        if any(x.column == key for x in problems):
            return []
        return [Parameter(path, tuple(ps.values), None, {}, valid)]
    if sampler == "grid":
        problems.append(InputProblem(origin, "the grid sampler needs 'values: [...]' for every parameter, not a distribution", column=key))
        return []
    if ps.dist not in DISTS:
        problems.append(InputProblem(origin, f"unknown distribution '{ps.dist}'; expected one of {', '.join(DISTS)}", column=key))
        return []
    need, may = DISTS[ps.dist]
    missing, extra = need - given, given - need - may
    if missing:
        problems.append(InputProblem(origin, f"{ps.dist} needs {', '.join(sorted(missing))}", column=key))
    if extra:
        problems.append(InputProblem(origin, f"{ps.dist} takes no {', '.join(sorted(extra))} (it takes {', '.join(sorted(need | may))})", column=key))
    if missing or extra:
        return []
    a = {k: float(v) for k, v in ps.model_dump().items() if k in need | may and v is not None}
    msg = _dist_problem(ps.dist, a, valid)
    if msg:
        problems.append(InputProblem(origin, msg, column=key))
        return []
    if valid.integer and ps.dist != "integer":
        problems.append(
            InputProblem(origin, f"'{path}' takes whole numbers; use 'values: [...]' or 'dist: integer' (low, high)", column=key)
        )
        return []
    par = Parameter(path, None, ps.dist, a, valid)
    if ps.dist in ("normal", "lognormal"):
        d, qlo, qhi = par.frozen()
        lo_u = max(x for x in (a.get("low"), -math.inf) if x is not None)
        hi_u = min(x for x in (a.get("high"), math.inf) if x is not None)
        mass = float(d.cdf(hi_u) - d.cdf(lo_u))
        outside = mass - (qhi - qlo)
        if mass <= 0 or qhi <= qlo:
            problems.append(InputProblem(origin, f"low/high leave no probability inside the valid range {valid.describe()}", column=key))
            return []
        if outside / mass > MAX_MASS_OUTSIDE:
            problems.append(
                InputProblem(
                    origin,
                    f"{ps.dist} puts {outside / mass:.1%} of its draws outside the valid range {valid.describe()}; "
                    "give 'low' and/or 'high' inside the range to truncate it",
                    column=key,
                )
            )
            return []
        if sampler == "morris" and (not math.isfinite(par.from_level(0.0)) or not math.isfinite(par.from_level(1.0))):
            problems.append(InputProblem(origin, "morris needs a bounded range: give 'low' and 'high'", column=key))
            return []
    return [par]


def _dist_problem(dist: str, a: dict[str, float], valid: Range) -> str | None:
    """Why a distribution's fields are inconsistent or leave the valid range, or None."""
    if any(not math.isfinite(v) for v in a.values()):
        return "distribution fields must be finite numbers"
    lo, hi = a.get("low"), a.get("high")
    if lo is not None and hi is not None and lo > hi:
        return f"low {lo:g} > high {hi:g}"
    if dist in ("uniform", "loguniform", "triangular", "integer") and lo == hi:
        return f"low = high = {lo:g}; use 'values: [{lo:g}]' for a fixed value"
    if dist == "triangular" and not (a["low"] <= a["mode"] <= a["high"]):
        return f"mode {a['mode']:g} is not between low {a['low']:g} and high {a['high']:g}"
    if dist == "loguniform" and a["low"] <= 0:
        return f"loguniform needs low > 0 (got {a['low']:g})"
    if dist == "normal" and a["sd"] <= 0:
        return f"sd must be > 0 (got {a['sd']:g})"
    if dist == "lognormal" and (a["median"] <= 0 or a["sigma"] <= 0):
        return "lognormal needs median > 0 and sigma > 0"
    if dist == "integer" and lo is not None and hi is not None and (lo != int(lo) or hi != int(hi)):
        return "integer needs whole-number low and high"
    for k in ("low", "high", "mode"):
        if k in a and not valid.contains(a[k]) and not (valid.integer and dist != "integer"):
            return f"{k} {a[k]:g} is outside the valid range {valid.describe()}"
    return None


def _check_sampler(origin: str, m: SweepSpecModel, params: list[Parameter], problems: list[InputProblem]) -> None:
    s = m.sampler
    if s == "list":
        if not m.scenarios:
            problems.append(InputProblem(origin, "the list sampler needs 'scenarios: [{path: value, ...}, ...]'", column="scenarios"))
        if m.parameters:
            problems.append(InputProblem(origin, "the list sampler takes 'scenarios', not 'parameters'", column="parameters"))
        for i, sc in enumerate(m.scenarios or []):
            problems += _check_list_scenario(origin, i, sc)
        return
    if m.scenarios is not None:
        problems.append(InputProblem(origin, f"'scenarios' is only for the list sampler (sampler is {s})", column="scenarios"))
    if not m.parameters:
        problems.append(InputProblem(origin, f"the {s} sampler needs 'parameters' to vary", column="parameters"))
    if s in ("lhs", "mc", "morris") and m.samples is None:
        what = "trajectories (r)" if s == "morris" else "scenarios"
        problems.append(InputProblem(origin, f"the {s} sampler needs 'samples' (number of {what})", column="samples"))
    if s in ("grid",) and m.samples is not None:
        problems.append(InputProblem(origin, "the grid sampler takes no 'samples' (its size is the product of the values)", column="samples"))
    if s == "morris" and m.levels % 2:
        problems.append(InputProblem(origin, f"morris needs an even number of levels (got {m.levels})", column="levels"))


def _check_list_scenario(origin: str, i: int, sc: dict[str, Any]) -> list[InputProblem]:
    from dcplan.scenario.overrides import flatten, split_overrides

    out: list[InputProblem] = []
    key = f"scenarios[{i}]"
    if not isinstance(sc, dict) or not sc:
        return [InputProblem(origin, "expected a mapping of override paths to values", column=key)]
    for path, v in flatten(sc).items():
        _, _, p = split_overrides({path: v}, origin)
        if p:
            out += [InputProblem(origin, x.message.removeprefix("override "), column=key) for x in p]
            continue
        valid = path_range(path)
        if valid is not None and (isinstance(v, bool) or not isinstance(v, int | float)):
            out.append(InputProblem(origin, f"'{path}': got {v!r}; expected a number", column=key))
        elif valid is not None and not valid.contains(float(v)):
            out.append(InputProblem(origin, f"'{path}' = {v:g} is outside the valid range {valid.describe()}", column=key))
    return out


def _check_paths_exist(origin: str, base, m: SweepSpecModel, params: list[Parameter]) -> list[InputProblem]:
    """Each table-cell path names rows the base scenario has (wildcards included), and the fixed
    overrides load."""
    from dcplan.scenario.overrides import apply_cell_overrides, split_overrides

    out: list[InputProblem] = []
    probe = {p.path: 0 for p in params}
    keys = {p.path: f"parameters.{p.path}" for p in params}
    for i, sc in enumerate(m.scenarios or []):
        from dcplan.scenario.overrides import flatten

        for path in flatten(sc):
            probe.setdefault(path, 0)
            keys.setdefault(path, f"scenarios[{i}]")
    _, cells, _ = split_overrides(probe, origin)
    frames = dict(base.raw_tables.items())  # copies of the raw tables (the overrides below write into them)
    for path in cells:
        for x in apply_cell_overrides(frames, {path: 0}, origin):
            out.append(InputProblem(origin, x.message.replace("override ", "", 1), column=keys[path]))
    if out:
        return out
    # one probe: the fixed overrides and every swept parameter at a mid value must load on the base
    mid = {p.path: _mid_value(p) for p in params}
    try:
        base.with_overrides({**m.overrides, **mid})
    except InputError as e:
        for x in e.problems:
            swept = next((p for p in sorted(mid, key=len, reverse=True) if p in x.message), None)
            if swept is not None and _loads_at_low(base, m.overrides, swept, params):
                continue  # only some values fail (e.g. a lead time past the horizon): those scenarios are 'invalid'
            out.append(InputProblem(origin, f"with the base scenario: {x}", column=keys[swept] if swept else "overrides"))
    return out


def _loads_at_low(base, fixed: dict, path: str, params: list[Parameter]) -> bool:
    """True if the base loads with `path` at its lowest level (the other swept paths left at the base)."""
    p = next(q for q in params if q.path == path)
    v = float(p.from_level(0.0)) if p.values is None else float(min(p.values))
    try:
        base.with_overrides({**fixed, path: int(round(v)) if p.valid.integer else v})
    except InputError:
        return False
    return True


def _mid_value(p: Parameter):
    """A representative value of a swept parameter (its median level), typed as the sampler types it."""
    v = float(p.from_level(0.5)) if p.values is None else float(p.values[len(p.values) // 2])
    return int(round(v)) if p.valid.integer else v
