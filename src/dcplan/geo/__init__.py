"""Geography: US state boundaries (offline, from plotly-geo) and site locations."""
