"""ETL: read, validate and load cities, indicators and cooperation edges."""
