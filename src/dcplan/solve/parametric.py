"""The LP's arrays as functions of its mutable parameters, recorded once per structure.

Every coefficient of the constraint matrix, every cost, the objective offset and every row
and column bound of a Pyomo LP whose data are mutable ``Param`` s is a polynomial in those
parameters (for dcplan: a constant times one or two parameters). :class:`ParametricLP` walks
the model once (``generate_standard_repn(compute_values=False)`` on the objective and each
active constraint) and turns every such entry into *monomials*::

    value[target] += const * P[f1] * P[f2] * ...

over the flat vector ``P`` of all mutable parameter values. A variant is then ``P`` (from the
``param_values`` dict, one ``np.fromiter`` per parameter) -> one product and one
``np.bincount`` -> the arrays HiGHS takes. No family-specific code: a constraint family added
to the model is picked up by the walk. Expressions that are not polynomials in the
parameters (a parameter in a denominator, say) are kept whole and evaluated by Pyomo
(``needs_pyomo_values``), so they stay correct, only slower.

The Pyomo model stays the formulation and the oracle: tests check these arrays against
``LinearStandardFormCompiler``'s on random scenarios (tests/test_parametric.py).
"""

from __future__ import annotations

from array import array
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np
from pyomo.core.base.constraint import Constraint
from pyomo.core.base.objective import Objective, maximize
from pyomo.core.base.param import Param
from pyomo.core.expr import (
    DivisionExpression,
    NegationExpression,
    PowExpression,
    ProductExpression,
    SumExpression,
    value,
)
from pyomo.core.expr.numvalue import native_numeric_types
from pyomo.core.expr.visitor import identify_mutable_parameters
from pyomo.repn import generate_standard_repn
from scipy import sparse

INF = highspy.kHighsInf


def _plain(bound) -> bool:
    """A variable bound given as a plain number (or absent), not as a parameter expression."""
    return bound is None or bound.__class__ in native_numeric_types


class _Opaque(Exception):
    """An expression that is not a polynomial in the parameters."""


@dataclass
class Arrays:
    """The LP's numbers for one set of parameter values (A's values in CSC order)."""

    a_values: np.ndarray
    c: np.ndarray
    offset: float
    row_lower: np.ndarray
    row_upper: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray


class ParametricLP:
    """Structure (rows, columns, nonzero pattern) of a Pyomo LP plus the monomial map from its
    mutable parameters to its numbers. Build once per structure; :meth:`arrays` per variant."""

    def __init__(self, model):
        self._param_layout(model)
        # monomials by degree, in typed arrays (8 bytes an item; Python lists of numbers and tuples
        # took ~5x that and made the walk the peak of a large build): degree -> (targets, constants,
        # the d parameter positions of each monomial, flattened)
        self._mono: dict[int, tuple[array, array, array]] = {}
        self._opaque: list[tuple[int, object]] = []  # (target, expression) evaluated by Pyomo
        col_of: dict[int, int] = {}
        self.columns: list = []
        entries_r = array("q")
        entries_c = array("q")

        def col(v) -> int:
            j = col_of.get(id(v))
            if j is None:
                j = col_of[id(v)] = len(self.columns)
                self.columns.append(v)
            return j

        # objective (one active objective, minimised)
        objs = list(model.component_data_objects(Objective, active=True, descend_into=True))
        if len(objs) != 1:
            raise ValueError(f"expected one active objective, found {len(objs)}")
        obj = objs[0]
        orepn = generate_standard_repn(obj.expr, compute_values=False, quadratic=False)
        if orepn.nonlinear_expr is not None or orepn.quadratic_vars:
            raise ValueError(f"objective {obj.name} is not linear")
        sign = -1.0 if obj.sense == maximize else 1.0
        obj_terms = [(col(v), coef) for v, coef in zip(orepn.linear_vars, orepn.linear_coefs, strict=False)]
        self.rows: list = []
        row_terms: list[tuple[object, object, object]] = []  # (lb, ub, constant) per row
        for con in model.component_data_objects(Constraint, active=True, descend_into=True):
            lb, body, ub = con.to_bounded_expression()
            if lb is None and ub is None:
                continue
            repn = generate_standard_repn(body, compute_values=False, quadratic=False)
            if repn.nonlinear_expr is not None or repn.quadratic_vars:
                raise ValueError(f"constraint {con.name} is not linear")
            if not repn.linear_vars:
                continue  # a constant row (LinearStandardFormCompiler drops these too)
            r = len(self.rows)
            self.rows.append((con, 0 if con.equality else (1 if ub is not None else -1)))
            row_terms.append((lb, ub, repn.constant))
            for v, coef in zip(repn.linear_vars, repn.linear_coefs, strict=False):
                # target = the entry's number in walk order until the CSC order is known (below)
                self._add(len(entries_r), coef)
                entries_r.append(r)
                entries_c.append(col(v))
        n, m = len(self.columns), len(self.rows)
        nnz = len(entries_r)
        # CSC order of the entries: by column, then row
        er = np.frombuffer(entries_r, dtype=np.int64) if nnz else np.zeros(0, dtype=np.int64)
        ec = np.frombuffer(entries_c, dtype=np.int64) if nnz else np.zeros(0, dtype=np.int64)
        order = np.lexsort((er, ec))
        pos = np.empty(nnz, dtype=np.int64)
        pos[order] = np.arange(nnz)
        # every target added so far is a matrix entry in walk order: renumber to CSC positions
        for T, _, _ in self._mono.values():
            if len(T):
                t = np.frombuffer(T, dtype=np.int64)  # a writable view: renumber in place
                t[:] = pos[t]
                del t  # release the view, or the array cannot grow again
        self._opaque = [(int(pos[t]), e) for t, e in self._opaque]
        self.a_index = er[order].astype(np.int32)
        self.a_start = np.searchsorted(ec[order], np.arange(n + 1)).astype(np.int32)
        self.shape = (m, n)
        # target layout: [A values | c | offset | row_lower | row_upper | col_lower | col_upper]
        self._off_c = nnz
        self._off_offset = nnz + n
        self._off_rl = self._off_offset + 1
        self._off_ru = self._off_rl + m
        self._off_cl = self._off_ru + m
        self._off_cu = self._off_cl + n
        self._size = self._off_cu + n
        del entries_r, entries_c, er, ec, order, pos
        for j, coef in obj_terms:
            self._add(self._off_c + j, coef, sign)
        self._add(self._off_offset, orepn.constant, sign)
        inf_mask = np.zeros(self._size, dtype=np.int8)  # +1: +inf, -1: -inf
        for r, (lb, ub, const) in enumerate(row_terms):
            if lb is None:
                inf_mask[self._off_rl + r] = -1
            else:
                self._add(self._off_rl + r, lb)
                self._add(self._off_rl + r, const, -1.0)
            if ub is None:
                inf_mask[self._off_ru + r] = 1
            else:
                self._add(self._off_ru + r, ub)
                self._add(self._off_ru + r, const, -1.0)
        for j, v in enumerate(self.columns):
            # numeric bounds (domain included) unless a bound is a parameter expression
            parametric = not (_plain(v._lb) and _plain(v._ub))
            lo, up = (v.lower, v.upper) if parametric else v.bounds
            for off, b, side in ((self._off_cl, lo, -1), (self._off_cu, up, 1)):
                if b is None:
                    inf_mask[off + j] = side
                else:
                    self._add(off + j, b)
        self._inf_pos = np.flatnonzero(inf_mask > 0)
        self._ninf_pos = np.flatnonzero(inf_mask < 0)
        # monomials grouped by degree: constants summed once; degree d: K * P[F[:,0]] * ... * P[F[:,d-1]]
        self._const = np.zeros(self._size)
        self._groups: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.n_monomials = 0
        for d in sorted(self._mono):
            targets, consts, factors = self._mono[d]
            tv = np.array(targets, dtype=np.int64)
            kv = np.array(consts, dtype=np.float64)
            self.n_monomials += len(tv)
            if d == 0:
                self._const = np.bincount(tv, weights=kv, minlength=self._size).astype(float)
            else:
                self._groups.append((tv, kv, np.array(factors, dtype=np.int64).reshape(len(tv), d)))
        del self._mono
        self.needs_pyomo_values = bool(self._opaque)

    # ------------------------------------------------------------------------------------------
    def _param_layout(self, model) -> None:
        """Flat positions of every mutable parameter value, by parameter name."""
        self._pid: dict[int, int] = {}
        self.blocks: list[tuple[str, int, int, bool]] = []  # (name, start, length, indexed)
        k = 0
        for p in model.component_objects(Param, active=True, descend_into=True):
            if not p.mutable:
                continue
            start = k
            for pd in p.values():
                self._pid[id(pd)] = k
                k += 1
            self.blocks.append((p.local_name, start, k - start, p.is_indexed()))
        self.n_params = k

    def _add(self, target: int, expr, scale: float = 1.0) -> None:
        if expr.__class__ in native_numeric_types:
            if expr:
                self._monomial(target, float(expr) * scale, ())
            return
        try:
            poly = self._poly(expr)
        except _Opaque:
            self._opaque.append((target, expr if scale == 1.0 else scale * expr))
            return
        for f, c in poly.items():
            if c:
                self._monomial(target, c * scale, f)

    def _monomial(self, target: int, const: float, factors: tuple[int, ...]) -> None:
        """Record ``value[target] += const * P[factors[0]] * ...``."""
        b = self._mono.get(len(factors))
        if b is None:
            b = self._mono[len(factors)] = (array("q"), array("d"), array("q"))
        b[0].append(target)
        b[1].append(const)
        b[2].extend(factors)

    def _poly(self, e) -> dict[tuple[int, ...], float]:
        """`e` as {sorted tuple of parameter positions: constant}."""
        if e.__class__ in native_numeric_types:
            return {(): float(e)}
        if not e.is_expression_type():
            if e.is_parameter_type() and id(e) in self._pid:
                return {(self._pid[id(e)],): 1.0}
            if e.is_fixed() and not e.is_potentially_variable() and (e.is_parameter_type() or e.is_constant()):
                return {(): float(value(e))}
            raise _Opaque
        if e.is_named_expression_type():
            return self._poly(e.expr)
        if isinstance(e, SumExpression):
            out: dict[tuple[int, ...], float] = {}
            for a in e.args:
                for f, c in self._poly(a).items():
                    out[f] = out.get(f, 0.0) + c
            return out
        if isinstance(e, ProductExpression):
            a, b = (self._poly(x) for x in e.args)
            out = {}
            for fa, ca in a.items():
                for fb, cb in b.items():
                    f = tuple(sorted(fa + fb))
                    out[f] = out.get(f, 0.0) + ca * cb
            return out
        if isinstance(e, NegationExpression):
            return {f: -c for f, c in self._poly(e.args[0]).items()}
        if isinstance(e, DivisionExpression):
            num, den = self._poly(e.args[0]), self._poly(e.args[1])
            if set(den) != {()}:
                raise _Opaque
            d = den[()]
            return {f: c / d for f, c in num.items()}
        if isinstance(e, PowExpression):
            base, ex = e.args
            if ex.__class__ in native_numeric_types and float(ex).is_integer() and 0 <= ex <= 4:
                out = {(): 1.0}
                pb = self._poly(base)
                for _ in range(int(ex)):
                    out = self._poly_mul(out, pb)
                return out
            raise _Opaque
        if not e.is_potentially_variable() and not any(True for _ in identify_mutable_parameters(e)):
            return {(): float(value(e))}  # e.g. max(domain bound, numeric bound): a plain number
        raise _Opaque

    @staticmethod
    def _poly_mul(a, b):
        out: dict[tuple[int, ...], float] = {}
        for fa, ca in a.items():
            for fb, cb in b.items():
                f = tuple(sorted(fa + fb))
                out[f] = out.get(f, 0.0) + ca * cb
        return out

    # ------------------------------------------------------------------------------------------
    def param_vector(self, values: Mapping[str, Any]) -> np.ndarray:
        """The flat parameter vector (plus a trailing 1.0) from ``param_values``-style `values`.
        Each indexed parameter's dict must list its keys in build order (param_values does)."""
        P = np.empty(self.n_params + 1)
        P[-1] = 1.0
        for name, start, n, indexed in self.blocks:
            v = values[name]
            if indexed:
                if len(v) != n:
                    raise ValueError(f"parameter {name}: {len(v)} values for {n} entries; the structure changed")
                P[start : start + n] = np.fromiter(v.values(), np.float64, n)
            else:
                P[start] = float(v)
        return P

    def arrays(self, values: Mapping[str, Any] | np.ndarray) -> Arrays:
        """The LP's numbers for parameter `values` (a dict as from ``param_values``, or a vector
        from :meth:`param_vector`). Opaque entries read the Pyomo model's current values."""
        P = values if isinstance(values, np.ndarray) else self.param_vector(values)
        V = self._const.copy()
        for T, K, F in self._groups:
            w = K * P[F[:, 0]]
            for k in range(1, F.shape[1]):
                w *= P[F[:, k]]
            V += np.bincount(T, weights=w, minlength=self._size)
        for t, e in self._opaque:
            V[t] += float(value(e))
        V[self._inf_pos] = INF
        V[self._ninf_pos] = -INF
        nnz, n, m = self._off_c, self.shape[1], self.shape[0]
        return Arrays(
            a_values=V[:nnz],
            c=V[self._off_c : self._off_c + n],
            offset=float(V[self._off_offset]),
            row_lower=V[self._off_rl : self._off_rl + m],
            row_upper=V[self._off_ru : self._off_ru + m],
            col_lower=V[self._off_cl : self._off_cl + n],
            col_upper=V[self._off_cu : self._off_cu + n],
        )

    def matrix(self, a_values: np.ndarray) -> sparse.csc_array:
        """The constraint matrix with values `a_values` (CSC, explicit zeros kept)."""
        return sparse.csc_array((a_values, self.a_index, self.a_start), shape=self.shape)
