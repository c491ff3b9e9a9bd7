"""Editions: what a period close published, kept unchanged for good, and what changed since.

Publishing a period (publish.publish with a Period) writes, in the same transaction as the swap:
an edition (`reporting.editions`: the period, when, the publication and the loads it was built
from) and its figures in long form (`reporting.edition_figures`). Triggers refuse any UPDATE,
DELETE or TRUNCATE of either, whoever asks. Every publication also rewrites
`reporting.latest_figures`, the current tables in the same long form, so that the views
`reporting.restatements` (edition against the previous edition of its period) and
`reporting.figures_published_and_latest` (latest edition against the current tables) compare
like with like. docs/editions.md describes them for analysts. The tables, triggers and views are
made by migration 0004_editions.sql (qa_warehouse.migrations), which publish applies first.

Which columns are figures: a reporting table's grain is its dbt unique key (the model's
`unique_combination_of_columns` test); every other column of a numeric type is a figure, and so
is every boolean one (stored as 1 or 0), unless its dbt `meta` says `edition_figure: false`.
Text and date columns outside the grain (names, financial year, RAG, direction of travel) are
labels derived from the grain or the figures, and are not kept, except a text column whose dbt
`meta` says `edition_text: true` (the commentary beside the figures): an edition keeps it as
published in `reporting.edition_texts` (migration 0007). A table's rows belong to a period when
their `period_end` falls within it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import yaml
from psycopg2 import sql

from qa_warehouse.load.contracts import SAFE_LOADER
from qa_warehouse.settings import load_settings

if TYPE_CHECKING:
    from qa_warehouse.periods import Period

log = logging.getLogger(__name__)

SCHEMA = "reporting"
EDITIONS = "editions"
EDITION_FIGURES = "edition_figures"
EDITION_TEXTS = "edition_texts"
LATEST_FIGURES = "latest_figures"
RESTATEMENTS = "restatements"
PUBLISHED_AND_LATEST = "figures_published_and_latest"
# Kept in `reporting` across publications: a dbt model of the same name must never replace them.
OWN_RELATIONS = frozenset(
    {EDITIONS, EDITION_FIGURES, EDITION_TEXTS, LATEST_FIGURES, RESTATEMENTS, PUBLISHED_AND_LATEST}
)

NUMERIC_TYPES = frozenset({"smallint", "integer", "bigint", "numeric", "real", "double precision"})
PERIOD_COLUMN = "period_end"


@dataclass(frozen=True)
class FigureLayout:
    """How one reporting table reads in long form: its grain and its figure columns."""

    table: str
    grain: tuple[str, ...]
    figures: tuple[str, ...]
    booleans: frozenset[str]  # figures stored as 1 (true) or 0 (false)
    texts: tuple[str, ...] = ()  # text kept as published (meta edition_text: the commentary)


@dataclass(frozen=True)
class DeclaredModel:
    grain: tuple[str, ...]
    not_figures: frozenset[str]
    texts: frozenset[str] = frozenset()


def declared_models(project_dir: Path | None = None) -> dict[str, DeclaredModel]:
    """Each dbt model that declares a unique key: its grain, and the columns its meta marks
    `edition_figure: false`. Read from the project's yml, which every worker that builds has."""
    project_dir = project_dir or load_settings().dbt_project_dir
    declared = {}
    for path in sorted((project_dir / "models").rglob("*.yml")):
        for model in (yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER) or {}).get("models") or []:
            grain = _unique_key(model)
            if grain:
                declared[model["name"]] = DeclaredModel(
                    tuple(grain),
                    frozenset(
                        column["name"]
                        for column in model.get("columns") or []
                        if _meta(column).get("edition_figure") is False
                    ),
                    frozenset(
                        column["name"]
                        for column in model.get("columns") or []
                        if _meta(column).get("edition_text") is True
                    ),
                )
    return declared


def _unique_key(model: dict) -> list[str] | None:
    for test in model.get("data_tests") or model.get("tests") or []:
        if isinstance(test, dict) and "unique_combination_of_columns" in test:
            arguments = test["unique_combination_of_columns"] or {}
            return (arguments.get("arguments") or arguments).get("combination_of_columns")
    return None


def _meta(column: dict) -> dict:
    return {**(column.get("meta") or {}), **((column.get("config") or {}).get("meta") or {})}


def figure_layouts(cur, tables: list[str], declared: dict[str, DeclaredModel] | None = None) -> list[FigureLayout]:
    """The long-form layout of each published table, its column types read from the catalog.
    A table without a period_end column is not a period's figures and is skipped (logged at info); one
    with a period_end but without a declared key should have one, and is skipped with a warning."""
    declared = declared_models() if declared is None else declared
    cur.execute(
        """select table_name, column_name, data_type from information_schema.columns
                   where table_schema = %s and table_name = any(%s) order by table_name, ordinal_position""",
        (SCHEMA, list(tables)),
    )
    columns: dict[str, dict[str, str]] = {}
    for table, column, data_type in cur.fetchall():
        columns.setdefault(table, {})[column] = data_type
    layouts = []
    for table in sorted(tables):
        model, types = declared.get(table), columns.get(table, {})
        if PERIOD_COLUMN not in types:
            # Definitions and reference tables (report_measures, dim_authority, the statistical neighbours)
            # and per-load data quality are not a period's figures: there is nothing for an edition to fix.
            log.info(
                "reporting.%s is not kept in editions: it has no %s column (not a period's figures)",
                table,
                PERIOD_COLUMN,
            )
            continue
        if model is None:
            log.warning(
                "reporting.%s is left out of editions: it has a %s column but no dbt "
                "unique_combination_of_columns key to keep its figures by",
                table,
                PERIOD_COLUMN,
            )
            continue
        if missing := [c for c in model.grain if c not in types]:
            raise RuntimeError(f"reporting.{table}: its declared key names columns it does not have: {missing}")
        figures = [
            c
            for c, t in types.items()
            if c not in model.grain and c not in model.not_figures and (t in NUMERIC_TYPES or t == "boolean")
        ]
        layouts.append(
            FigureLayout(
                table,
                model.grain,
                tuple(figures),
                frozenset(c for c in figures if types[c] == "boolean"),
                tuple(c for c in types if c in model.texts),
            )
        )
    return layouts


def prepare(cur) -> None:
    """Take the lock on latest_figures that the publication rewrites. Run inside the publish
    transaction. The edition tables, their guards and the views are migration 0004_editions.sql,
    applied before the publish transaction began."""
    cur.execute(sql.SQL("lock table {} in access exclusive mode").format(sql.Identifier(SCHEMA, LATEST_FIGURES)))


def write_latest_figures(cur, publication_id: int, layouts: list[FigureLayout]) -> None:
    """Replace latest_figures with the just-published tables in long form: one INSERT per table."""
    # Truncate, like the swap's drop, under the exclusive lock prepare() took: no dead rows left behind.
    cur.execute(sql.SQL("truncate {}").format(sql.Identifier(SCHEMA, LATEST_FIGURES)))
    for layout in layouts:
        if not layout.figures:
            continue
        grain = sql.SQL(", ").join(sql.SQL("{}, t.{}").format(sql.Literal(c), sql.Identifier(c)) for c in layout.grain)
        figures = sql.SQL(", ").join(
            sql.SQL("({}, t.{}{})").format(
                sql.Literal(c), sql.Identifier(c), sql.SQL("::int::numeric" if c in layout.booleans else "::numeric")
            )
            for c in layout.figures
        )
        cur.execute(
            sql.SQL("""
            insert into {latest} (publication_id, table_name, period_end, grain, figure, value)
            select %s, %s, t.{period}, jsonb_build_object({grain}), f.figure, f.value
            from {table} t cross join lateral (values {figures}) f (figure, value)""").format(
                latest=sql.Identifier(SCHEMA, LATEST_FIGURES),
                period=sql.Identifier(PERIOD_COLUMN),
                grain=grain,
                table=sql.Identifier(SCHEMA, layout.table),
                figures=figures,
            ),
            (publication_id, layout.table),
        )


def create_edition(cur, period: Period, publication_id: int, layouts: Sequence[FigureLayout] = ()) -> int:
    """The edition of `period` made by this publication, with the current figures of its rows and
    the text (commentary) beside them that `layouts` marks to keep."""
    cur.execute(
        sql.SQL("""
        insert into {editions} (period_kind, period_first_day, period_last_day, as_at, publication_id, loads,
                                previous_edition_id)
        select %(kind)s, %(first)s, %(last)s, p.published_at, p.publication_id, p.loads,
               (select max(e.edition_id) from {editions} e where e.period_kind = %(kind)s
                  and e.period_first_day = %(first)s and e.period_last_day = %(last)s)
        from {publication_log} p where p.publication_id = %(publication)s
        returning edition_id""").format(
            editions=sql.Identifier(SCHEMA, EDITIONS), publication_log=sql.Identifier(SCHEMA, "publication_log")
        ),
        {"kind": period.kind, "first": period.first_day, "last": period.last_day, "publication": publication_id},
    )
    (edition_id,) = cur.fetchone()
    cur.execute(
        sql.SQL("""
        insert into {figures} (edition_id, table_name, period_end, grain, figure, value)
        select %s, table_name, period_end, grain, figure, value from {latest}
        where period_end between %s and %s""").format(
            figures=sql.Identifier(SCHEMA, EDITION_FIGURES), latest=sql.Identifier(SCHEMA, LATEST_FIGURES)
        ),
        (edition_id, period.first_day, period.last_day),
    )
    for layout in layouts:
        if layout.texts:
            keep_texts(cur, edition_id, period, layout)
    return edition_id


def keep_texts(cur, edition_id: int, period: Period, layout: FigureLayout) -> None:
    """The table's edition_text columns of the period's rows, in long form: one row per non-blank text."""
    grain = sql.SQL(", ").join(sql.SQL("{}, t.{}").format(sql.Literal(c), sql.Identifier(c)) for c in layout.grain)
    texts = sql.SQL(", ").join(sql.SQL("({}, t.{})").format(sql.Literal(c), sql.Identifier(c)) for c in layout.texts)
    # A text repeated on several rows of one grain cannot be: the grain is the table's key.
    cur.execute(
        sql.SQL("""
        insert into {edition_texts} (edition_id, table_name, period_end, grain, column_name, text_value)
        select %s, %s, t.{period}, jsonb_build_object({grain}), x.column_name, x.text_value
        from {table} t cross join lateral (values {texts}) x (column_name, text_value)
        where t.{period} between %s and %s and x.text_value is not null""").format(
            edition_texts=sql.Identifier(SCHEMA, EDITION_TEXTS),
            period=sql.Identifier(PERIOD_COLUMN),
            grain=grain,
            table=sql.Identifier(SCHEMA, layout.table),
            texts=texts,
        ),
        (edition_id, layout.table, period.first_day, period.last_day),
    )
