"""The children in need twins on the hand-made census (tests/data_sets.py: two authorities, each child
a case at one edge of DfE's definitions, so most counts are 1 to 5): the scorecard, its four breakdown
tables and the quarterly section are attacked together (tests/disclosure_attack.py), as a committee
reader of all five would."""

from __future__ import annotations

from contextlib import closing

import pytest

from tests.data_sets import CHILDREN_IN_NEED_HAND_MADE
from tests.disclosure_attack import COUNTS, attack_twins, row_key

DATA_SET = CHILDREN_IN_NEED_HAND_MADE

TABLES = (
    "children_in_need_scorecard",
    "children_in_need_referral_sources",
    "children_in_need_assessment_factors",
    "children_in_need_primary_needs",
    "children_in_need_abuse_categories",
    "quarterly_report_children_in_need",
)


@pytest.fixture(scope="module")
def twins(module_warehouse):
    found = {}
    with closing(module_warehouse.connect()) as conn, conn.cursor() as cur:
        for schema in ("reporting", "public_reporting"):
            found[schema] = {}
            for table in TABLES:
                cur.execute(f"select * from {schema}.{table}")
                names = [d.name for d in cur.description]
                found[schema][table] = [dict(zip(names, record)) for record in cur.fetchall()]
    return found["reporting"], found["public_reporting"]


@pytest.mark.integration
def test_the_children_in_need_twins_hide_every_small_count_and_nothing_hidden_can_be_worked_out(twins):
    exact, public = twins
    small = 0
    for table in TABLES[:-1]:
        assert exact[table], f"{table}: the census made no rows"
        shown = {row_key(r, table): r for r in public[table]}
        assert set(shown) == {row_key(r, table) for r in exact[table]}, table
        for row in exact[table]:
            for column in COUNTS[table]:
                if row[column] is not None and 1 <= row[column] <= 5:
                    assert shown[row_key(row, table)][column] == "c", (table, column, row)
                    small += 1
    assert small > 100
    leaks, protected = attack_twins(exact, public)
    assert not leaks, list(leaks.items())[:10]
    # cells of every breakdown table were protected, not only the scorecard's
    assert {cell[0] for cell in protected} >= set(TABLES)
