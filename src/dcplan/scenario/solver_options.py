"""HiGHS options a user sets: scenario.yaml's ``solver:`` mapping and ``--solver-option KEY=VALUE``.

Every name and value is checked against highspy's own option API (an option's type from
``Highs.getOptionType``, its value by setting it on a scratch ``Highs``, which checks ranges
and the allowed strings), so any HiGHS option works and a typo or a bad value is an
:class:`~dcplan.errors.InputError` naming where it was written and the key, never a HiGHS log
line. Values are converted to the option's type: YAML reads ``presolve: off`` as the boolean
false, which becomes HiGHS's string ``"off"``; ``threads: 2.0`` becomes the integer 2.

This is the one place options are parsed; CLI sugar (``--threads``, ``--time-limit``) should
build a mapping and call :func:`parse_solver_options`.
"""

from __future__ import annotations

import contextlib
import difflib
import math
import os
import sys
from collections.abc import Iterable, Mapping
from typing import Any

import yaml

from dcplan.errors import InputError, InputProblem

OptionValue = bool | int | float | str


@contextlib.contextmanager
def stdout_to_stderr():
    """Send C-level stdout to stderr for the duration (HiGHS prints its banner with printf when
    the first ``Highs`` of a process is made)."""
    try:
        fd = sys.__stdout__.fileno() if sys.__stdout__ is not None else 1
        sys.__stdout__.flush() if sys.__stdout__ is not None else None
        saved = os.dup(fd)
    except (OSError, ValueError, AttributeError):  # no real stdout (embedded, some notebooks)
        yield
        return
    try:
        os.dup2(2, fd)
        yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)


def quiet_highs():
    """A ``highspy.Highs`` with output off whose banner goes to stderr, never to stdout (so
    ``dcplan validate`` and piped output stay clean)."""
    import highspy

    with stdout_to_stderr():
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
    return h




def option_names() -> list[str]:
    """Names of the HiGHS options highspy lists (for 'did you mean' hints)."""
    return sorted(n for n in dir(quiet_highs().getOptions()) if not n.startswith("_"))


def _as_type(kind: str, value: Any) -> OptionValue:
    """`value` as HiGHS option type `kind` ('kBool', 'kInt', 'kDouble', 'kString'); ValueError if it is not one."""
    if kind == "kBool":
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.strip().lower() in ("true", "false", "on", "off"):
            return value.strip().lower() in ("true", "on")
        raise ValueError("true or false")
    if kind == "kInt":
        if isinstance(value, bool):
            raise ValueError("a whole number")
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                pass
        raise ValueError("a whole number")
    if kind == "kDouble":
        if isinstance(value, bool):
            raise ValueError("a number")
        try:
            x = float(value)
        except (TypeError, ValueError):
            raise ValueError("a number") from None
        if math.isnan(x):
            raise ValueError("a number (not NaN)")
        return x
    if isinstance(value, bool):  # YAML 1.1 reads on/off/yes/no as booleans
        return "on" if value else "off"
    if isinstance(value, str) and value.strip().lower() in ("true", "yes", "false", "no"):
        return "on" if value.strip().lower() in ("true", "yes") else "off"  # scenario.yaml scalars arrive as text
    if isinstance(value, (int, float, str)):
        return str(value)
    raise ValueError("a text value")


def _parse_items(items: Iterable[str], origin: str, problems: list[InputProblem]) -> dict[str, Any]:
    """`KEY=VALUE` strings as a mapping, VALUE read as YAML (so 60 is a number)."""
    out: dict[str, Any] = {}
    for it in items:
        k, eq, v = str(it).partition("=")
        if not eq or not k.strip():
            problems.append(InputProblem(origin, f"'{it}': expected KEY=VALUE with a HiGHS option name, e.g. time_limit=600"))
            continue
        try:
            out[k.strip()] = yaml.safe_load(v)
        except yaml.YAMLError:
            out[k.strip()] = v
    return out


def solver_option_problems(
    options: Mapping[str, Any] | Iterable[str] | None, origin: str = "scenario.yaml", key_prefix: str = "solver"
) -> tuple[dict[str, OptionValue], list[InputProblem]]:
    """(valid options converted to their HiGHS type, problems with the others).

    `options` is a mapping (scenario.yaml's ``solver:``) or ``KEY=VALUE`` strings (the CLI).
    Problems name `origin` and the key as ``<key_prefix>.<name>`` (just the name when
    `key_prefix` is empty)."""
    problems: list[InputProblem] = []
    if options is None:
        return {}, problems
    if isinstance(options, Mapping):
        given = dict(options)
    elif isinstance(options, (str, bytes)) or not isinstance(options, Iterable):
        return {}, [InputProblem(origin, f"'{key_prefix}' must be a mapping of HiGHS option: value, got '{options}'",
                                 column=key_prefix or None)]
    else:
        given = _parse_items(options, origin, problems)
    if not given:
        return {}, problems
    import highspy

    h = quiet_highs()
    out: dict[str, OptionValue] = {}
    names = None
    for name, value in given.items():
        key = f"{key_prefix}.{name}" if key_prefix else str(name)
        status, kind = h.getOptionType(str(name))
        if status != highspy.HighsStatus.kOk:
            names = names if names is not None else option_names()
            close = difflib.get_close_matches(str(name), names, n=1, cutoff=0.7)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            problems.append(InputProblem(origin, f"unknown HiGHS option '{name}'{hint}; see the HiGHS options list "
                                                 "(https://ergo-code.github.io/HiGHS/stable/options/definitions/)", column=key))
            continue
        kind_name = kind.name
        try:
            v = _as_type(kind_name, value)
        except ValueError as e:
            problems.append(InputProblem(origin, f"HiGHS option '{name}': got '{value}'; expected {e}", column=key))
            continue
        if h.setOptionValue(str(name), v) != highspy.HighsStatus.kOk:
            problems.append(InputProblem(origin, f"HiGHS option '{name}': HiGHS does not accept the value '{value}' "
                                                 "(out of its range or not one of its allowed values)", column=key))
            continue
        out[str(name)] = v
    return out, problems


def parse_solver_options(
    options: Mapping[str, Any] | Iterable[str] | None, origin: str = "scenario.yaml", key_prefix: str = "solver"
) -> dict[str, OptionValue]:
    """HiGHS options from a mapping or ``KEY=VALUE`` strings, checked and converted to each
    option's type; raises InputError naming `origin` and the key for every bad one.

    >>> parse_solver_options({"presolve": False, "time_limit": 60})
    {'presolve': 'off', 'time_limit': 60.0}
    >>> parse_solver_options(["threads=2"], origin="--solver-option", key_prefix="")
    {'threads': 2}
    """
    out, problems = solver_option_problems(options, origin, key_prefix)
    if problems:
        raise InputError(problems)
    return out
