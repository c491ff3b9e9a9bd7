"""Reading what the warehouse published, for the end-to-end tests to compare with tests/reference."""
from __future__ import annotations

from contextlib import closing
from decimal import Decimal
from fractions import Fraction

# PostgreSQL's numeric division keeps 16 or more significant digits; the references are exact.
TOLERANCE = Fraction(1, 10**12)


def published(warehouse, table: str) -> tuple[list[str], list[tuple]]:
    """(column names, rows) of reporting.<table>."""
    with closing(warehouse.connect()) as conn, conn.cursor() as cur:
        cur.execute(f"select * from reporting.{table}")
        return [d.name for d in cur.description], cur.fetchall()


def published_by_grain(warehouse, table: str, grain: tuple[str, ...]) -> dict[tuple, dict]:
    """reporting.<table>'s rows keyed by their grain; fails on two rows for one key."""
    columns, rows = published(warehouse, table)
    by_key = {}
    for row in rows:
        values = dict(zip(columns, row))
        key = tuple(values[c] for c in grain)
        assert key not in by_key, f"{table}: two rows for {key}"
        by_key[key] = values
    return by_key


def snapshot(warehouse, tables) -> dict[str, list[tuple]]:
    """Every row of the tables, in a stable order: to show a publication unchanged."""
    return {table: sorted(published(warehouse, table)[1], key=repr) for table in tables}


def same(expected, got) -> bool:
    """An exact reference figure against a published one: Fractions within TOLERANCE, numbers exactly."""
    if isinstance(expected, Fraction):
        return got is not None and abs(Fraction(got) - expected) <= TOLERANCE
    if isinstance(got, Decimal) and expected is not None and not isinstance(expected, bool):
        return Fraction(got) == expected
    return got == expected
