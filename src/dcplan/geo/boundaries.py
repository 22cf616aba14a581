"""US state boundaries, read offline from the Census cartographic boundary file that the
`plotly-geo` package ships (`cb_2016_us_state_500k`). No download at run time."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

CRS_GEOGRAPHIC = "EPSG:4269"  # NAD83, the CRS of Census boundary files
CRS_EQUAL_AREA = "EPSG:5070"  # CONUS Albers, for maps and areas


def _shapefile() -> Path:
    import _plotly_geo

    p = Path(_plotly_geo.__file__).parent / "package_data" / "cb_2016_us_state_500k.shp"
    if not p.is_file():  # pragma: no cover - a broken install
        raise FileNotFoundError(f"plotly-geo is installed but {p} is missing")
    return p


@lru_cache(maxsize=1)
def _states():
    import geopandas as gpd

    gdf = gpd.read_file(_shapefile())
    gdf = gdf.set_crs(CRS_GEOGRAPHIC, allow_override=True)
    gdf = gdf.rename(columns={"STUSPS": "state", "NAME": "state_name", "STATEFP": "state_fips"})
    return gdf[["state", "state_name", "state_fips", "geometry"]].sort_values("state").reset_index(drop=True)


def us_states(contiguous_only: bool = False):
    """GeoDataFrame of US states (columns state, state_name, state_fips, geometry), EPSG:4269.

    `contiguous_only` drops Alaska, Hawaii and the territories (for maps of the lower 48).
    """
    gdf = _states().copy()
    if contiguous_only:
        gdf = gdf[~gdf["state"].isin(["AK", "HI", "PR", "VI", "GU", "MP", "AS"])].reset_index(drop=True)
    return gdf
