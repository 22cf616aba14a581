"""Map of the build-out: sites sized by IT MW in use in a chosen year, on Census state boundaries
(contiguous US, drawn in CONUS Albers, EPSG:5070).

Results do not carry coordinates, so `plot_site_map` takes the scenario's sites table (site,
name, region, latitude, longitude) beside the `power` results table. Superclusters (lists of
member sites) and fiber links (pairs of sites) are drawn when given; they come from the network
layer, which this module does not import.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.patheffects import withStroke
from shapely.geometry import MultiPoint

from dcplan.geo.boundaries import CRS_EQUAL_AREA, CRS_GEOGRAPHIC, us_states
from dcplan.geo.sites import sites_gdf

CRS_SITES = CRS_GEOGRAPHIC  # site latitude/longitude are NAD83, as in geo/sites.py
SITE_COLOR, IDLE_COLOR, STATE_ACTIVE, STATE_IDLE = "#C44E52", "#555555", "#E4ECF4", "#F4F4F4"
SIZE_PER_MW = 0.12  # marker area (pt²) per MW
SITE_MARKER_GIDS = ("sites-in-use", "sites-idle")  # the two scatter collections of site markers
SUPERCLUSTER_COLORS = ("#4C72B0", "#55A868", "#8172B3", "#DD8452", "#64B5CD", "#937860")


def site_points(sites: pd.DataFrame) -> gpd.GeoDataFrame:
    """The sites as points in EPSG:5070 (raises ValueError naming sites with no coordinates)."""
    missing = sites.loc[sites["latitude"].isna() | sites["longitude"].isna(), "site"].tolist()
    if missing:
        raise ValueError(f"sites without latitude/longitude: {', '.join(map(str, missing))}")
    return sites_gdf(sites).to_crs(CRS_EQUAL_AREA)


def site_mw(power: pd.DataFrame, year: int, column: str = "it_mw") -> pd.Series:
    """MW in use per site in `year` (IT MW by default) from the power results table."""
    p = power[power["year"] == year]
    return p.groupby("site")[column].sum().clip(lower=0)


def _check_sites(names: Iterable[str], known: set[str], what: str) -> None:
    unknown = sorted({str(n) for n in names} - known)
    if unknown:
        raise ValueError(f"{what} name sites not in the sites table: {', '.join(unknown)}")


def _fmt_mw(mw: float) -> str:
    return f"{mw / 1e3:,.1f} GW" if mw >= 1000 else f"{mw:,.0f} MW"


def _short_name(name, site: str, n: int = 26) -> str:
    """A site's display name without its parenthesised detail, cut to n characters."""
    label = str(name) if isinstance(name, str) and name else site
    label = label.split(" (")[0].split(" / ")[0].strip()
    return label if len(label) <= n else label[: n - 1] + "…"


def _label_sites(ax, rows: pd.DataFrame, fontsize: float = 7) -> None:
    """Name the given sites, each label placed at the first of four corners around its marker that
    overlaps no label placed before it and stays inside the axes (greedy, in display points)."""
    fig = ax.figure
    fig.draw_without_rendering()  # settle the layout so data -> display positions are final
    to_pt = 72.0 / fig.dpi
    ax_box = ax.get_window_extent()
    placed: list[tuple[float, float, float, float]] = []
    for s, r in rows.iterrows():
        text = f"{_short_name(r.get('name'), str(s))}\n{_fmt_mw(r['mw'])}" if r["mw"] > 0 else _short_name(r.get("name"), str(s))
        w = max(len(line) for line in text.splitlines()) * fontsize * 0.58 + 4
        h = 2 * fontsize * 1.25 + 4
        px, py = ax.transData.transform((r.geometry.x, r.geometry.y))
        px, py = px * to_pt, py * to_pt
        rad = np.sqrt(max(r["mw"] * SIZE_PER_MW, 12)) / 2 + 2
        best = None
        for dx, dy, ha, va in (
            (1, 1, "left", "bottom"),
            (1, -1, "left", "top"),
            (-1, 1, "right", "bottom"),
            (-1, -1, "right", "top"),
        ):
            x0 = px + (rad if dx > 0 else -rad - w)
            y0 = py + (rad * 0.4 if dy > 0 else -rad * 0.4 - h)
            box = (x0, y0, x0 + w, y0 + h)
            inside = (
                ax_box.x0 * to_pt <= box[0]
                and box[2] <= ax_box.x1 * to_pt
                and ax_box.y0 * to_pt <= box[1]
                and box[3] <= ax_box.y1 * to_pt
            )
            clash = any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in placed)
            if inside and not clash:
                best = (dx, dy, ha, va, box)
                break
            if best is None and inside:
                best = (dx, dy, ha, va, box)
        dx, dy, ha, va, box = best or (1, 1, "left", "bottom", (px, py, px + w, py + h))
        placed.append(box)
        ax.annotate(
            text,
            (r.geometry.x, r.geometry.y),
            xytext=(dx * rad, dy * rad * 0.4),
            textcoords="offset points",
            ha=ha,
            va=va,
            fontsize=fontsize,
            color="#222222",
            zorder=5,
            bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "alpha": 0.6, "linewidth": 0},
        )


def plot_site_map(
    sites: pd.DataFrame,
    power: pd.DataFrame,
    year: int | None = None,
    *,
    superclusters: Mapping[str, Sequence[str]] | Sequence[Sequence[str]] | None = None,
    fiber_links: Sequence[Sequence[str]] | None = None,
    label_top: int | None = 8,
    max_superclusters: int | None = 6,
    ax=None,
) -> Figure:
    """Sites sized by IT MW in use in `year` (default: the last year of `power`) on the lower-48
    state boundaries. Sites with nothing in use are hollow markers. Every site is one marker, in
    two scatter collections (in use, idle). The `label_top` largest sites are named (None: every
    site, idle ones too).

    `superclusters`: member site ids per supercluster, as {name: [sites]} or a list of lists
    (named SC1, SC2, ...); each is outlined and labelled. `fiber_links`: pairs
    (site_a, site_b, ...) drawn as lines; extra items in a pair are ignored. Only the first
    `max_superclusters` are outlined (None: all), so the map stays readable; pass them in order
    of interest (results tables list hand-named ones first).
    """
    if year is None:
        year = int(power["year"].max())
    pts = site_points(sites).set_index("site", drop=False)
    mw = site_mw(power, year).reindex(pts.index).fillna(0.0)
    pts["mw"] = mw
    states = us_states(contiguous_only=True).to_crs(CRS_EQUAL_AREA)
    active = set(power.loc[(power["year"] == year) & (power["it_mw"] > 0), "region"].dropna())

    if ax is None:
        from dcplan.reports.plots import InlineFigure

        fig = InlineFigure(figsize=(12, 7.5), layout="constrained")
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    states.plot(
        ax=ax,
        color=[STATE_ACTIVE if s in active else STATE_IDLE for s in states["state"]],
        edgecolor="#9AA5B1",
        linewidth=0.5,
    )

    known = set(pts.index)
    cluster_handles: list[Artist] = []
    named = (
        superclusters.items()
        if isinstance(superclusters, Mapping)
        else ((f"SC{i + 1}", m) for i, m in enumerate(superclusters or []))
    )
    for i, (cname, members) in enumerate(named):
        if max_superclusters is not None and i >= max_superclusters:
            break
        members = list(members)
        _check_sites(members, known, "superclusters")
        color = SUPERCLUSTER_COLORS[i % len(SUPERCLUSTER_COLORS)]
        hull = MultiPoint(list(pts.loc[members, "geometry"])).convex_hull.buffer(60_000)
        gpd.GeoSeries([hull], crs=CRS_EQUAL_AREA).plot(
            ax=ax, facecolor=color, alpha=0.12, edgecolor=color, linewidth=1.5, linestyle="--"
        )
        x, y = hull.exterior.coords[int(np.argmin([c[0] for c in hull.exterior.coords]))]
        ax.annotate(
            str(cname),
            (x, y),
            xytext=(-3, 0),
            textcoords="offset points",
            ha="right",
            va="center",
            fontsize=8,
            color=color,
            fontweight="bold",
            path_effects=[withStroke(linewidth=3, foreground="white")],
        )
        cluster_handles.append(
            Patch(
                facecolor=color,
                alpha=0.3,
                edgecolor=color,
                linestyle="--",
                label=f"{cname}: supercluster of {len(members)} sites",
            )
        )
    for link in fiber_links or []:
        a, b = link[0], link[1]
        _check_sites([a, b], known, "fiber_links")
        pa, pb = pts.at[a, "geometry"], pts.at[b, "geometry"]
        ax.plot([pa.x, pb.x], [pa.y, pb.y], color="#4C72B0", lw=1.2, alpha=0.8, zorder=3, gid="fiber-link")

    on, idle = pts[pts["mw"] > 0], pts[pts["mw"] <= 0]
    ax.scatter(
        on.geometry.x,
        on.geometry.y,
        s=np.maximum(on["mw"] * SIZE_PER_MW, 12),
        color=SITE_COLOR,
        alpha=0.65,
        edgecolor="white",
        linewidth=0.8,
        zorder=4,
        gid="sites-in-use",
    )
    ax.scatter(
        idle.geometry.x,
        idle.geometry.y,
        s=18,
        facecolor="none",
        edgecolor=IDLE_COLOR,
        linewidth=1.0,
        zorder=4,
        gid="sites-idle",
    )
    xmin, ymin, xmax, ymax = states.total_bounds
    ax.set_xlim(xmin - 50_000, xmax + 50_000)
    ax.set_ylim(ymin - 50_000, ymax + 50_000)
    ax.set_aspect("equal")
    if label_top is None:  # every site: in use largest first, then idle ones
        _label_sites(ax, pts.sort_index().sort_values("mw", ascending=False, kind="stable"), fontsize=6)
    else:
        _label_sites(ax, on.sort_values("mw", ascending=False).head(label_top))

    handles: list[Artist] = [
        Line2D(
            [],
            [],
            ls="",
            marker="o",
            markersize=np.sqrt(v * SIZE_PER_MW),
            markerfacecolor=SITE_COLOR,
            alpha=0.65,
            markeredgecolor="white",
            label=_fmt_mw(v),
        )
        for v in (250, 1000, 3000)
    ]
    handles.append(
        Line2D(
            [],
            [],
            ls="",
            marker="o",
            markersize=np.sqrt(18),
            markerfacecolor="none",
            markeredgecolor=IDLE_COLOR,
            label="nothing in use",
        )
    )
    if fiber_links:
        handles.append(Line2D([], [], color="#4C72B0", lw=1.2, label="fiber link"))
    handles += cluster_handles
    ax.legend(
        handles=handles,
        title="IT MW in use",
        loc="upper left",
        bbox_to_anchor=(1.0, 1.0),
        frameon=True,
        labelspacing=1.2,
        borderpad=0.8,
        fontsize=8,
    )
    total = float(on["mw"].sum())
    ax.set_title(f"Sites by IT power in use, {year}: {_fmt_mw(total)} at {len(on)} of {len(pts)} sites")
    ax.set_axis_off()
    ax.annotate(
        "Census cb_2016 state boundaries; CONUS Albers (EPSG:5070)",
        (1, 0),
        xycoords="axes fraction",
        xytext=(0, -2),
        textcoords="offset points",
        ha="right",
        va="top",
        fontsize=7,
        color="#777777",
    )
    return fig
