"""Read a results folder written by `dcplan run --out DIR` back into DataFrames.

The folder holds one file per results table (`<table>.parquet` or `<table>.csv`), `summary.json`
and, when the run saved it, `sites.parquet` (site, name, region, latitude, longitude, operator)
for the map. `read_results` returns them as a `LoadedResults`, which the plot functions accept
in place of a `dcplan.Results` (tables are attributes: `loaded.compute`, `loaded.power`, ...).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from dcplan.results.results import TABLE_NAMES, WORKBOOK

REQUIRED_TABLES = ("compute", "capacity", "gpus", "power", "costs", "shadow_prices", "binding")
"""Tables the report needs; the others in TABLE_NAMES are read when present."""

SITES_TABLE = "sites"
SITES_COLUMNS = ("site", "name", "region", "latitude", "longitude")
SUPERCLUSTERS_TABLE, FIBER_TABLE = "superclusters", "fiber_links"
"""Optional network tables drawn on the map when present: superclusters (supercluster, site) and
fiber_links (site_a, site_b), in the scenario inputs' layout."""


class ResultsNotFound(FileNotFoundError):
    """The folder is missing or does not hold dcplan results (the message says what is missing)."""


@dataclass
class LoadedResults:
    """The tables and summary of one results folder. Tables are also attributes (`.compute`)."""

    path: Path
    tables: dict[str, pd.DataFrame]
    summary: dict
    sites: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)
    superclusters: dict[str, list[str]] | None = None
    fiber_links: list[tuple[str, str]] | None = None
    record: dict | None = None
    """The folder's run.json (what was run, inputs, versions; None for an older run)."""

    def __repr__(self) -> str:
        from dcplan.results.display import results_repr

        return results_repr(self, "LoadedResults").replace(">", f" from {self.path}>")

    def _repr_html_(self) -> str:
        from dcplan.results.display import results_html

        return results_html(self, "LoadedResults", tuple(self.tables))

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(f"results in {self.__dict__.get('path')} have no table {name!r}")

    @property
    def scenario(self) -> str:
        return str(self.summary.get("scenario", self.path.name))

    @property
    def status(self) -> str:
        return str(self.summary.get("status", "unknown"))

    @property
    def objective_usd(self) -> float:
        return float(self.summary.get("objective_usd", float("nan")))

    @property
    def solver(self) -> dict:
        return dict(self.summary.get("solver", {}))


def _read_table(folder: Path, name: str) -> pd.DataFrame | None:
    """`<name>.parquet`, else `<name>.csv`, else sheet `name` of `results.xlsx`, else None."""
    pq, csv = folder / f"{name}.parquet", folder / f"{name}.csv"
    if pq.is_file():
        return pd.read_parquet(pq)
    if csv.is_file():
        return pd.read_csv(csv, low_memory=False)  # one dtype per column (a sparse text column, e.g. corridor, is not split)
    book = _workbook(folder)
    if book is not None and name in book:
        return book[name]
    return None


def _workbook(folder: Path) -> dict[str, pd.DataFrame] | None:
    """Every sheet of the folder's results.xlsx (read once per folder and file version), or None."""
    p = folder / WORKBOOK
    if not p.is_file():
        return None
    key = (str(p.resolve()), p.stat().st_mtime_ns)
    if key not in _BOOKS:
        _BOOKS.clear()
        _BOOKS[key] = pd.read_excel(p, sheet_name=None, engine="openpyxl")
    return _BOOKS[key]


_BOOKS: dict[tuple[str, int], dict[str, pd.DataFrame]] = {}


def read_sites(folder: str | Path) -> pd.DataFrame | None:
    """The sites table saved beside the results, or None when absent or lacking coordinates."""
    df = _read_table(Path(folder), SITES_TABLE)
    if df is None or not set(SITES_COLUMNS) <= set(df.columns):
        return None
    return df


def read_network(
    folder: str | Path, sites: pd.DataFrame | None
) -> tuple[dict[str, list[str]] | None, list[tuple[str, str]] | None]:
    """Superclusters ({name: member sites}) and fiber links (site pairs) saved beside the results,
    each None when its file is absent; members not in `sites` are dropped."""
    folder = Path(folder)
    known = set(sites["site"]) if sites is not None else set()
    sc = _read_table(folder, SUPERCLUSTERS_TABLE)
    clusters = None
    if sc is not None and {"supercluster", "site"} <= set(sc.columns):
        members = {str(k): [s for s in g["site"] if s in known] for k, g in sc.groupby("supercluster", sort=False)}
        clusters = {k: m for k, m in members.items() if len(m) >= 2}
    fl = _read_table(folder, FIBER_TABLE)
    links = None
    if fl is not None and {"site_a", "site_b"} <= set(fl.columns):
        links = [(a, b) for a, b in zip(fl["site_a"], fl["site_b"], strict=False) if a in known and b in known]
    return clusters, links


def read_results(results_dir: str | Path) -> LoadedResults:
    """Read every results table (Parquet or CSV), summary.json and the optional sites table.

    Raises ResultsNotFound naming the folder and the missing files when it is not a complete
    results folder.
    """
    folder = Path(results_dir)
    hint = "write one with `dcplan run --out DIR`"
    if not folder.is_dir():
        raise ResultsNotFound(f"results folder {folder} does not exist; {hint}")
    tables = {}
    for name in TABLE_NAMES:
        df = _read_table(folder, name)
        if df is not None:
            tables[name] = df
    summary_path = folder / "summary.json"
    if not tables and not summary_path.is_file():
        raise ResultsNotFound(f"{folder} holds no dcplan results (no summary.json, no <table>.parquet or .csv); {hint}")
    missing = [f"{t}.parquet" for t in REQUIRED_TABLES if t not in tables]
    if not summary_path.is_file():
        missing.append("summary.json")
    if missing:
        raise ResultsNotFound(f"{folder} is not a complete results folder: missing {', '.join(missing)}; {hint}")
    try:
        summary = json.loads(summary_path.read_text())
    except json.JSONDecodeError as e:
        raise ResultsNotFound(f"{summary_path} is not valid JSON ({e}); {hint}") from e
    notes = []
    sites = read_sites(folder)
    if sites is None:
        notes.append(f"no {SITES_TABLE}.parquet with site coordinates in {folder}: the map is skipped")
    clusters, links = read_network(folder, sites)
    from dcplan.results.record import read_run_record

    return LoadedResults(
        path=folder, tables=tables, summary=summary, sites=sites, notes=notes, superclusters=clusters, fiber_links=links,
        record=read_run_record(folder),
    )
