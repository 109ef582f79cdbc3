"""The data model shared by etl/ (which produces it) and graph/ (which stores it).

A :class:`Bundle` is one validated dataset, ready to write. Every frame has exactly the columns
named below (extra numeric columns are allowed where noted). ``etl`` guarantees the invariants
(no unknown cities, no self-loops, finite non-negative weights, unique keys) before a store sees it.

Graph model written from a bundle (see README):

    (:Dataset {id, source, sha256, loaded_at, status, simulated})
    (:City {name, name_zh, province, lat, lon, ...extra attributes})
    (:City)-[:OBSERVED]->(:Observation {city, year, ...indicator columns})
    (:Enterprise {id, name, city, ...})-[:LOCATED_IN]->(:City)
    (:Enterprise)-[:COOPERATES {weight, year}]->(:Enterprise)
    (:City)-[:LINKS {weight, year, method}]->(:City)      method in LINK_METHODS
    (:Region {name})-[:OBSERVED]->(:Observation {region, period, freq, ...series columns})

Every node and relationship a load writes carries ``dataset`` (the Dataset id).
Year ``0`` on COOPERATES / LINKS means "no year given" (Cypher MERGE cannot match on null).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

LINK_METHODS = ("cooperation", "gravity", "observed")
NO_YEAR = 0

CITY_COLUMNS = ["name", "name_zh", "province", "lat", "lon"]  # + optional extra numeric columns
INDICATOR_KEYS = ["city", "year"]  # + numeric indicator columns
ENTERPRISE_COLUMNS = ["id", "name", "city"]  # + optional extra columns
COOPERATION_COLUMNS = ["source", "target", "weight", "year"]  # enterprise ids
CITY_LINK_COLUMNS = ["source", "target", "weight", "year", "method"]  # city names
SERIES_KEYS = ["region", "period", "freq"]  # + numeric columns; period like '2015Q1' or '2015'


@dataclass
class Bundle:
    """One validated dataset. Frames that a load does not include are ``None``."""

    dataset_id: str
    source: str
    sha256: str
    simulated: bool = False
    cities: pd.DataFrame | None = None
    indicators: pd.DataFrame | None = None
    enterprises: pd.DataFrame | None = None
    cooperation: pd.DataFrame | None = None
    city_links: pd.DataFrame | None = None
    series: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)

    def row_count(self) -> int:
        return sum(
            0 if f is None else len(f)
            for f in (self.cities, self.indicators, self.enterprises, self.cooperation,
                      self.city_links, self.series)
        )
