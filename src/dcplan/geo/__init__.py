"""Geography: US state boundaries (offline, from plotly-geo), site locations and distances."""

from dcplan.geo.boundaries import CRS_EQUAL_AREA, CRS_GEOGRAPHIC, us_states
from dcplan.geo.distance import EARTH_RADIUS_KM, great_circle_km
from dcplan.geo.sites import check_site_states, site_states, sites_gdf

__all__ = [
    "CRS_EQUAL_AREA", "CRS_GEOGRAPHIC", "EARTH_RADIUS_KM", "check_site_states", "great_circle_km",
    "site_states", "sites_gdf", "us_states",
]
