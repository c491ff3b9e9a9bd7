"""The build's postcode step: ONS centroids of exactly the postcodes in the raw 903 episodes, from
the pinned package, replaced on every build; unknown and blank postcodes get no row (not known)."""

from __future__ import annotations

from contextlib import closing

import pytest

from qa_warehouse.load.postcodes import load_postcode_centroids, normalised

pytestmark = pytest.mark.integration


def episodes(warehouse, rows):
    warehouse.query(
        "create schema if not exists raw; drop table if exists raw.ssda903_episodes;"
        " create table raw.ssda903_episodes (home_post text, pl_post text); select 1"
    )
    with closing(warehouse.connect()) as conn, conn.cursor() as cur:
        cur.executemany("insert into raw.ssda903_episodes values (%s, %s)", rows)


def load(warehouse) -> int:
    with closing(warehouse.connect()) as conn:
        return load_postcode_centroids(conn)


def centroids(warehouse) -> dict:
    return {p: (float(e), float(n)) for p, e, n in warehouse.query("select * from raw.postcode_centroids")}


def test_postcodes_are_compared_upper_case_without_spaces():
    assert normalised(" ne1  4st ") == "NE14ST" == normalised("NE14ST")
    assert normalised("  ") is None and normalised(None) is None


def test_only_the_episodes_postcodes_are_loaded_with_their_ons_grid_reference(warehouse):
    episodes(warehouse, [("NE1 4ST", "sw1a 1aa"), ("ne14st", "ZZ9 9ZZ"), (None, " ")])
    assert load(warehouse) == 2
    # ONS Postcode Directory: NE1 4ST (Newcastle) and SW1A 1AA (Buckingham Palace), OS grid metres
    assert centroids(warehouse) == {"NE14ST": (424273.0, 564577.0), "SW1A1AA": (529090.0, 179645.0)}


def test_each_build_replaces_the_centroids_with_the_current_episodes_postcodes(warehouse):
    episodes(warehouse, [("NE1 4ST", "SW1A 1AA")])
    load(warehouse)
    episodes(warehouse, [("SW1A 1AA", None)])
    assert load(warehouse) == 1
    assert set(centroids(warehouse)) == {"SW1A1AA"}


def test_a_warehouse_without_903_episodes_gets_an_empty_table(warehouse):
    assert load(warehouse) == 0
    assert warehouse.query("select count(*) from raw.postcode_centroids") == [(0,)]
