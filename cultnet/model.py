"""The data model shared by etl/ (which produces it) and graph/ (which stores it).

A :class:`Bundle` is one validated dataset, ready to write. Every frame has exactly the columns
named below (extra numeric columns are allowed where noted). ``etl`` guarantees the invariants
(no unknown cities, no self-loops, finite non-negative weights, unique keys) before a store sees it.

Graph model written from a bundle (docs/graph-model.md has the full model):

    (:Study {name, created_at})
    (:Dataset {id, study, source, sha256, loaded_at, status, simulated, edge_sets})
    (:City {study, name, name_zh, province, lat, lon, ...extra attributes})
    (:City)-[:OBSERVED]->(:Observation {study, city, year, ...indicator columns})
    (:Enterprise {study, id, name, city, ...})-[:LOCATED_IN]->(:City)
    (:Enterprise)-[:COOPERATES {weight, year}]->(:Enterprise)
    (:City)-[:LINKS {weight, year, method}]->(:City)      method in LINK_METHODS
    (:Region {study, name})-[:OBSERVED]->(:Observation {study, region, period, freq, ...})

A **study** is the unit of isolation: every node a load writes carries ``study`` and keys are
per study (the same city name in two studies is two nodes). ``Bundle.study`` says where a bundle
goes. Every node and relationship a load writes carries ``dataset`` (the Dataset id).
Year ``0`` on COOPERATES / LINKS means "no year given" (Cypher MERGE cannot match on null).
"""

from __future__ import annotations

import re
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

#: The study a load goes into when none is named (``--study`` / ``CULTNET_STUDY``).
DEFAULT_STUDY = "default"
#: The study ``cultnet load --sample`` goes into.
SAMPLE_STUDY = "liaoning-sample"
#: Study names: 1-64 characters of letters, digits, ``_ . -``, starting with a letter or digit.
STUDY_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
#: The levels an edge set can have.
EDGE_LEVELS = ("city", "enterprise")


def check_study_name(name: object) -> str:
    """Return ``name`` if it is a valid study name, else raise CultnetError saying why.

    >>> check_study_name("liaoning-sample")
    'liaoning-sample'
    """
    from cultnet.errors import CultnetError

    if not isinstance(name, str) or not STUDY_NAME.fullmatch(name):
        raise CultnetError(
            f"Invalid study name {name!r}: use 1-64 characters of letters, digits, '_', '.' and "
            "'-', starting with a letter or digit (e.g. shanxi-2024).")
    return name


@dataclass
class Bundle:
    """One validated dataset. Frames that a load does not include are ``None``."""

    dataset_id: str
    source: str
    sha256: str
    simulated: bool = False
    #: the study this dataset belongs to (etl puts it into the dataset hash)
    study: str = DEFAULT_STUDY
    #: direction of the loaded edge file (None: not known); see :meth:`edge_sets`
    directed: bool | None = None
    cities: pd.DataFrame | None = None
    indicators: pd.DataFrame | None = None
    enterprises: pd.DataFrame | None = None
    cooperation: pd.DataFrame | None = None
    city_links: pd.DataFrame | None = None
    series: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)

    def edge_sets(self) -> list[tuple[str, str, bool | None]]:
        """The edge sets this bundle writes, as ``(level, method, directed)``.

        Enterprise cooperation (``cooperation``) is ``("enterprise", "cooperation", directed)``;
        each method of ``city_links`` is ``("city", method, directed)``, except ``gravity``,
        which is always directed (the gravity model gives y_ij != y_ji).

        >>> b = Bundle("ds", "s", "0", directed=False,
        ...            city_links=pd.DataFrame({"method": ["cooperation", "gravity"]}))
        >>> b.edge_sets()
        [('city', 'cooperation', False), ('city', 'gravity', True)]
        """
        out: list[tuple[str, str, bool | None]] = []
        if self.cooperation is not None and len(self.cooperation):
            out.append(("enterprise", "cooperation", self.directed))
        if self.city_links is not None and len(self.city_links):
            methods = (self.city_links["method"].fillna("observed").astype(str)
                       if "method" in self.city_links.columns else pd.Series(["observed"]))
            for m in sorted(set(methods)):
                out.append(("city", m, True if m == "gravity" else self.directed))
        return out

    def row_count(self) -> int:
        return sum(
            0 if f is None else len(f)
            for f in (self.cities, self.indicators, self.enterprises, self.cooperation,
                      self.city_links, self.series)
        )
