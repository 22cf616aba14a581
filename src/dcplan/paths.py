"""Where the bundled default scenario lives, installed or in a source checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def default_scenario_dir() -> Path:
    """Return the folder of the bundled default scenario.

    A wheel ships it as ``dcplan/_inputs/default``; an editable install or a source checkout
    finds it at ``<repo>/inputs/default``.
    """
    candidates = [
        _PACKAGE_DIR / "_inputs" / "default",
        _PACKAGE_DIR.parent.parent / "inputs" / "default",
    ]
    for c in candidates:
        if (c / "scenario.yaml").is_file():
            return c
    from dcplan.errors import InputError, InputProblem

    raise InputError(
        [InputProblem("default scenario", "cannot find the bundled default; looked in: " + ", ".join(map(str, candidates)))]
    )


def example_scenario_dir(name: str) -> Path:
    """The folder of a bundled example scenario (``inputs/examples/NAME``), found from any working
    directory: a wheel ships them as ``dcplan/_inputs/examples``, a checkout has ``<repo>/inputs/examples``."""
    roots = [_PACKAGE_DIR / "_inputs" / "examples", _PACKAGE_DIR.parent.parent / "inputs" / "examples"]
    for r in roots:
        if (r / name / "scenario.yaml").is_file():
            return r / name
    from dcplan.errors import InputError, InputProblem

    known = sorted({p.name for r in roots if r.is_dir() for p in r.iterdir() if (p / "scenario.yaml").is_file()})
    raise InputError([InputProblem("example scenario", f"no example '{name}'; examples: {', '.join(known) or 'none found'}")])
