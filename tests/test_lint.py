"""ruff (with the B, SIM and UP rules) and mypy (not strict; see [tool.ruff] and [tool.mypy] in
pyproject.toml) pass on the sources: both run as the test extras install them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True)


def test_ruff_is_clean():
    p = _run("ruff", "check", "--no-cache", "src", "tests", "benchmarks")
    assert p.returncode == 0, f"ruff check failed (exit {p.returncode}):\n{p.stdout}\n{p.stderr}"


def test_mypy_is_clean():
    p = _run("mypy")  # files and options from [tool.mypy]
    assert p.returncode == 0, f"mypy failed (exit {p.returncode}):\n{p.stdout}\n{p.stderr}"
    assert "Success" in p.stdout, p.stdout
