"""Sites as a GeoDataFrame, and the check that each site lies in the state its row names.

Site coordinates are read as NAD83 (EPSG:4269), the CRS of the Census boundary files; NAD83
and WGS84 differ by about a metre in the US, far below what matters here.
"""

from __future__ import annotations

import functools

import pandas as pd

from dcplan.errors import InputProblem
from dcplan.geo.boundaries import CRS_EQUAL_AREA, CRS_GEOGRAPHIC, us_states

STATE_TOLERANCE_KM = 2.0
"""A site outside its stated state by less than this (measured in EPSG:5070) still passes:
the Census 1:500,000 boundaries are generalised, so a campus on a state line may fall a few
hundred metres on the wrong side of it."""

BOUNDARY_SOURCE = "Census cartographic state boundaries cb_2016_us_state_500k"


def _sites_frame(sites) -> pd.DataFrame:
    """The sites table of a Scenario, or a sites DataFrame as given."""
    if isinstance(sites, pd.DataFrame):
        return sites
    tables = getattr(sites, "tables", None)
    if tables is None or "sites" not in tables:
        raise TypeError("expected a Scenario or a sites DataFrame (columns site, latitude, longitude, ...)")
    return tables["sites"]


def sites_gdf(sites):
    """Sites as a GeoDataFrame of points in EPSG:4269 (NAD83 latitude/longitude).

    `sites` is a Scenario or a sites DataFrame with `latitude` and `longitude` columns; every
    other column is kept. Reproject with `.to_crs("EPSG:5070")` (CONUS Albers) for maps, areas
    and buffers in metres.
    """
    import geopandas as gpd

    df = _sites_frame(sites)
    return gpd.GeoDataFrame(
        df.copy(), geometry=gpd.points_from_xy(df["longitude"], df["latitude"]), crs=CRS_GEOGRAPHIC
    )


def site_states(sites) -> pd.Series:
    """The state (two-letter code) each site's coordinates fall in, by a spatial join with the
    Census state boundaries; '' where a point is in no US state. Indexed like `sites`."""
    df = _sites_frame(sites)
    coords = tuple(zip(df["latitude"].astype(float), df["longitude"].astype(float), strict=True))
    return pd.Series(_states_at(coords), index=df.index, dtype=str)


@functools.lru_cache(maxsize=64)
def _states_at(coords: tuple[tuple[float, float], ...]) -> list[str]:
    """The state of each (latitude, longitude): one spatial join, memoised by the coordinates
    (a scenario's sites are checked again on every load; the boundaries never change)."""
    import geopandas as gpd

    if not coords:
        return []
    lat, lon = zip(*coords, strict=True)
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs=CRS_GEOGRAPHIC)
    joined = gpd.sjoin(pts, us_states()[["state", "geometry"]], how="left", predicate="intersects")
    joined = joined[~joined.index.duplicated(keep="first")]  # a point on a shared border: either
    return joined["state"].fillna("").astype(str).reindex(pts.index).tolist()


def check_site_states(
    sites: pd.DataFrame, label: str = "sites.csv", tolerance_km: float = STATE_TOLERANCE_KM
) -> list[InputProblem]:
    """One problem per site whose coordinates lie outside the state named in its `region`.

    `sites` is the sites table with its loader index (0-based data line, so the CSV row is
    index + 2). Only sites whose region is a state code of the Census file are checked (a
    region that is an ISO zone, say, cannot be). One spatial join for all sites; the
    boundaries are read once per process. A point outside its state by less than
    `tolerance_km` (distance in EPSG:5070) passes.
    """
    if sites is None or len(sites) == 0:
        return []
    states = us_states()
    codes = set(states["state"])
    df = sites[sites["region"].astype(str).isin(codes)]
    if df.empty:
        return []
    found = site_states(df)
    bad = df[found != df["region"].astype(str)]
    if bad.empty:
        return []
    names = dict(zip(states["state"], states["state_name"], strict=False))
    # near misses: distance from the point to its stated state, in metres (EPSG:5070)
    pts = sites_gdf(bad).to_crs(CRS_EQUAL_AREA)
    shapes = states.set_index("state").to_crs(CRS_EQUAL_AREA)["geometry"]
    out: list[InputProblem] = []
    for i, r in bad.iterrows():
        stated = str(r["region"])
        km = pts.loc[i, "geometry"].distance(shapes[stated]) / 1000.0
        if km <= tolerance_km:
            continue
        actual = found[i]
        where = f"in {names[actual]} ({actual})" if actual else "outside every US state"
        out.append(
            InputProblem(
                label,
                f"site '{r['site']}' at latitude {r['latitude']:g}, longitude {r['longitude']:g} is {where}, "
                f"{km:,.0f} km from {names[stated]} ({stated}), the state its region column names "
                f"({BOUNDARY_SOURCE}); fix the coordinates or the region",
                row=int(i) + 2,
                column="latitude/longitude",
            )
        )
    return out
