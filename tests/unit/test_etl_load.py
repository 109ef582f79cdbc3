"""cultnet.etl.load: the sample loader's checks (no store needed)."""

from __future__ import annotations

import pytest

from cultnet.errors import CultnetError
from cultnet.etl import load


def test_missing_sample_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("CULTNET_SAMPLE_DIR", str(tmp_path))
    with pytest.raises(CultnetError, match=r"sample data is missing from .* \(cities.csv, indicators.csv"):
        load.sample_bundle()


def test_sample_source_names_the_seed(tmp_path, monkeypatch):
    monkeypatch.setenv("CULTNET_SAMPLE_DIR", str(tmp_path))
    (tmp_path / "manifest.json").write_text('{"seed": 20240601, "directed": true}')
    assert load._sample_source() == "cultnet simulated sample (scripts/make_sample.py, seed 20240601)"
    assert load._sample_directed() is True


def test_sample_validates_when_present():
    d = load.sample_dir()
    if not all((d / f).is_file() for f in load.SAMPLE_FILES.values()):
        pytest.fail("data/sample/ is missing: run python scripts/make_sample.py")
    b = load.sample_bundle()
    assert b.simulated is True and b.source.startswith("cultnet simulated sample")
    assert b.cities is not None and len(b.cities) >= 14
    assert b.cooperation is not None and b.city_links is not None
