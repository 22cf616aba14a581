"""Designs of a sweep: grid (full factorial), list, Latin hypercube, Monte Carlo and Morris.

`design(spec)` returns one row per scenario: `point` (0..n-1), one column per swept path with
the value it takes, and for Morris `trajectory`, `step`, `moved` (the path changed from the
previous step, '' at step 0) and the unit-cube level of each path (`u:<path>`).
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from scipy.stats import qmc

from dcplan.sweeps.spec import Parameter, SweepSpec


def design(spec: SweepSpec) -> pd.DataFrame:
    """The spec's scenarios as a DataFrame (see module docstring); deterministic given the seed."""
    m, ps = spec.model, spec.parameters
    if m.sampler == "list":
        from dcplan.scenario.overrides import flatten

        df = pd.DataFrame([flatten(s) for s in m.scenarios or []])
    elif m.sampler == "grid":
        df = grid(ps)
    elif m.sampler == "lhs":
        df = _to_values(ps, lhs_unit(len(ps), m.samples or 0, m.seed))
    elif m.sampler == "mc":
        df = _to_values(ps, np.random.default_rng(m.seed).random((m.samples or 0, len(ps))))
    else:
        df = morris(ps, m.samples or 0, m.levels, m.seed)
    df.insert(0, "point", np.arange(len(df)))
    return df


def _cast(p: Parameter, x: np.ndarray) -> list:
    """Values as Python ints for whole-number parameters (table cells must read as integers)."""
    return [int(round(v)) for v in x] if p.valid.integer else [float(v) for v in x]


def _to_values(ps: list[Parameter], u: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({p.path: pd.Series(_cast(p, p.from_unit(u[:, j])), dtype=object) for j, p in enumerate(ps)})


def grid(ps: list[Parameter]) -> pd.DataFrame:
    """Full factorial of every parameter's `values` (the last parameter varies fastest)."""
    rows = list(itertools.product(*[p.values or () for p in ps]))
    return pd.DataFrame(
        {p.path: pd.Series(_cast(p, np.array([r[j] for r in rows], dtype=float)), dtype=object) for j, p in enumerate(ps)}
    )


def lhs_unit(k: int, n: int, seed: int) -> np.ndarray:
    """n x k Latin hypercube in [0, 1): each parameter has exactly one sample in each of n strata."""
    return qmc.LatinHypercube(d=k, seed=seed).random(n)


def morris_unit(k: int, r: int, levels: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """r Morris trajectories of k + 1 points on the `levels`-level grid of [0, 1]^k.

    Morris (1991): B* = (J x* + delta/2 ((2B - J) D* + J)) P* with delta = p / (2 (p - 1)); each
    point differs from the previous one in exactly one factor, by +-delta. Returns (levels of
    shape (r*(k+1), k), index of the factor moved at each point, -1 at a trajectory's start).
    """
    rng = np.random.default_rng(seed)
    p = levels
    delta = p / (2.0 * (p - 1))
    base_levels = np.arange(0, p // 2) / (p - 1)  # x* in {0, 1/(p-1), ..., 1 - delta}
    J = np.ones((k + 1, k))
    B = np.tril(np.ones((k + 1, k)), -1)
    pts, moved = [], []
    for _ in range(r):
        x = rng.choice(base_levels, size=k)
        D = np.diag(rng.choice([-1.0, 1.0], size=k))
        perm = rng.permutation(k)
        P = np.eye(k)[perm]
        Bs = (J * x + (delta / 2.0) * ((2 * B - J) @ D + J)) @ P
        pts.append(Bs)
        mv = [-1] + [int(np.flatnonzero(~np.isclose(Bs[i], Bs[i - 1]))[0]) for i in range(1, k + 1)]
        moved += mv
    return np.vstack(pts), np.array(moved)


def morris(ps: list[Parameter], r: int, levels: int, seed: int) -> pd.DataFrame:
    """The Morris design: values, trajectory, step, moved path and unit levels `u:<path>`."""
    k = len(ps)
    u, moved = morris_unit(k, r, levels, seed)
    df = pd.DataFrame({p.path: pd.Series(_cast(p, p.from_level(u[:, j])), dtype=object) for j, p in enumerate(ps)})
    df["trajectory"] = np.repeat(np.arange(r), k + 1)
    df["step"] = np.tile(np.arange(k + 1), r)
    df["moved"] = [ps[i].path if i >= 0 else "" for i in moved]
    for j, p in enumerate(ps):
        df[f"u:{p.path}"] = u[:, j]
    return df


def morris_indices(design_df: pd.DataFrame, y: pd.Series) -> pd.DataFrame:
    """Morris elementary effects summarised per parameter: mu* (mean |EE|), mu and sigma (sd of
    EE), from a Morris design and one output `y` per point (indexed by `point`; NaN skipped).

    EE = (y_step - y_previous) / (u_step - u_previous) of the moved parameter, in unit levels,
    so mu* compares parameters on the same (whole-range) scale."""
    d = design_df.set_index("point").sort_index()
    yy = y.reindex(d.index)
    rows = []
    paths = [c[2:] for c in d.columns if c.startswith("u:")]
    effects: dict[str, list[float]] = {p: [] for p in paths}
    for _, g in d.groupby("trajectory", sort=True):
        g = g.sort_values("step")
        idx = list(g.index)
        for a, b in itertools.pairwise(idx):
            path = g.at[b, "moved"]
            du = g.at[b, f"u:{path}"] - g.at[a, f"u:{path}"]
            dy = yy.get(b) - yy.get(a)
            if du != 0 and np.isfinite(dy):
                effects[path].append(float(dy / du))
    for p in paths:
        ee = np.array(effects[p])
        rows.append({
            "parameter": p, "mu_star": float(np.abs(ee).mean()) if len(ee) else np.nan,
            "mu": float(ee.mean()) if len(ee) else np.nan,
            "sigma": float(ee.std(ddof=1)) if len(ee) > 1 else np.nan, "n_effects": len(ee),
        })
    return pd.DataFrame(rows).sort_values("mu_star", ascending=False, na_position="last").reset_index(drop=True)
