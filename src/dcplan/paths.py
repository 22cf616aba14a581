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
