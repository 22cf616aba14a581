"""Distances between points on the Earth (no geopandas needed)."""

from __future__ import annotations

import numpy as np

EARTH_RADIUS_KM = 6371.0088
"""Mean Earth radius (IUGG R1), km."""


def great_circle_km(lat1, lon1, lat2, lon2):
    """Great-circle (haversine) distance in km between points given in degrees.

    Works on scalars (returns a float) and on arrays (element-wise, returns an array).
    Accurate to about 0.5% against the ellipsoid, which is well inside the uncertainty of a
    fiber route factor.
    """
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlam = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dphi / 2.0) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlam / 2.0) ** 2
    d = 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return float(d) if np.ndim(d) == 0 else d
