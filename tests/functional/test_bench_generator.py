"""The city-scale generator (bench/generate.py) at a tiny scale: consistent, deterministic, bookable.

Not a benchmark (those never run in the suite): it keeps the generator honest as the schema moves.
"""
import pytest
import sqlalchemy as sa

from bench.generate import build
from bench.http_bench import overlaps
from tests.demo_db import demo_database_url

pytestmark = pytest.mark.committed


def bookings_of(url):
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(sa.text(
            "SELECT instrument_id, organization_id, start_at, status FROM bookings ORDER BY id")).all()
    engine.dispose()
    return rows


def test_a_tiny_city_is_consistent_and_the_same_for_the_same_seed(database_url, tmp_path):
    url = demo_database_url(database_url, tmp_path, "generated")
    _app, counts, _seconds = build(url, scale=0.002, seed=3, log=lambda _line: None, with_snapshots=False)
    assert counts["instruments"] == 20 and counts["bookings"] == 2000 and counts["service_orders"] == 200
    assert counts["occupancies"] >= counts["bookings"]
    assert overlaps(url) == 0  # active holds never overlap, as the exclusion constraint demands
    first = bookings_of(url)
    assert {status for *_rest, status in first} >= {"completed", "cancelled", "confirmed"}

    build(url, scale=0.002, seed=3, log=lambda _line: None, with_snapshots=False)
    assert [row[:3] for row in bookings_of(url)] == [row[:3] for row in first]
