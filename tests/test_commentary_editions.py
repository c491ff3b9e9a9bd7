"""An edition keeps the commentary as it was published: publish a quarter with the authority's
commentary, edit the commentary and publish again, and the first edition still holds the words the
committee read, while the tables and a new edition hold the edited ones."""

from __future__ import annotations

import datetime as dt

import pendulum
import pytest

from qa_warehouse import cli
from qa_warehouse.orchestration.runner import run_dag
from qa_warehouse_synthetic import generate_extracts
from qa_warehouse_synthetic.commentary import write_commentary

pytestmark = pytest.mark.integration
LA_CODE = "885"
AS_AT = dt.date(2025, 3, 31)
Q4 = (dt.date(2025, 1, 1), dt.date(2025, 3, 31))
CLOSE_Q4 = pendulum.datetime(2025, 4, 28, 6, tz="UTC")  # a manual close publishes the quarter that last ended
FIRST = [
    {
        "period": "2024/25 Q4",
        "measure_code": "audits_good_or_better",
        "narrative": "Fewer audits were graded good under the stricter framework.",
        "action": "Moderate a sample each month",
        "owner": "Principal Social Worker",
        "author": "QA manager",
    },
    {"period": "2024/25 Q4", "section": "practice_quality", "narrative": "The audit framework started in April."},
]
EDITED = [
    {**FIRST[0], "narrative": "Edited after the meeting: the grading was moderated again.", "action": None},
    FIRST[1],
]


def edition_texts(warehouse, edition_id: int) -> list[tuple]:
    return warehouse.query(
        """select table_name, grain::text, column_name, text_value from reporting.edition_texts
           where edition_id = %s order by 1, 2, 3""",
        (edition_id,),
    )


def texts_of(rows: list[tuple], table: str, column: str) -> set[str]:
    return {text for name, _, col, text in rows if name == table and col == column}


def test_editing_the_commentary_leaves_the_published_edition_unchanged(warehouse, tmp_path):
    landing = tmp_path / "landing"
    generate_extracts(
        landing, households=24, years=1, authorities=1, seed=23, as_at=AS_AT, areas=("fostering", "quality_assurance")
    )
    write_commentary(landing, LA_CODE, dt.date(2025, 4, 20), FIRST)
    assert cli.main(["run", "--landing", str(landing)]) == 0
    run = run_dag("qa_close_quarter", logical_date=CLOSE_Q4)
    assert run.succeeded, run.failed_tasks
    ((first_edition,),) = warehouse.query(
        "select max(edition_id) from reporting.editions where period_kind = 'quarter' and period_last_day = %s",
        (Q4[1],),
    )
    kept = edition_texts(warehouse, first_edition)
    assert texts_of(kept, "measure_values", "commentary") == {FIRST[0]["narrative"]}
    assert texts_of(kept, "measure_values", "commentary_action") == {FIRST[0]["action"]}
    assert texts_of(kept, "quarterly_performance_report", "commentary") == {FIRST[0]["narrative"]}
    assert texts_of(kept, "quarterly_performance_report", "section_commentary") == {FIRST[1]["narrative"]}

    # The authority edits its commentary after the meeting and delivers it again.
    edits = tmp_path / "edits"
    write_commentary(edits, LA_CODE, dt.date(2025, 4, 25), EDITED)
    assert cli.main(["run", "--landing", str(edits)]) == 0
    now = warehouse.query(
        """select commentary, commentary_action from reporting.measure_values
           where measure_code = 'audits_good_or_better' and period_kind = 'quarter' and period_end = %s
             and breakdown = 'All'""",
        (Q4[1],),
    )
    assert now == [(EDITED[0]["narrative"], None)], "the tables show the edited commentary"
    assert edition_texts(warehouse, first_edition) == kept, "the edition keeps what was published"

    run = run_dag("qa_close_quarter", logical_date=CLOSE_Q4)  # the quarter published again
    assert run.succeeded, run.failed_tasks
    ((second_edition,),) = warehouse.query("select max(edition_id) from reporting.editions")
    assert second_edition != first_edition
    assert edition_texts(warehouse, first_edition) == kept
    again = edition_texts(warehouse, second_edition)
    assert texts_of(again, "measure_values", "commentary") == {EDITED[0]["narrative"]}
    assert texts_of(again, "measure_values", "commentary_action") == set()
    with pytest.raises(Exception, match="immutable"):
        warehouse.query("update reporting.edition_texts set text_value = 'rewritten'; select 1")
