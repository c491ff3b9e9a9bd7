"""The warehouse's own tables by numbered migrations (qa_warehouse.migrations): a fresh database
migrates once and then costs one query; a warehouse built by the DDL in Python before migrations
(commit 0020ce7, run from git) upgrades in place with its rows kept and ends with the same schema as
a fresh one; an edited applied migration, a version newer than the code and a failing migration are
refused by name; two processes migrating at once leave one set of rows."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import types
from contextlib import closing
from datetime import date
from pathlib import Path

import psycopg2
import psycopg2.extensions
import pytest

from qa_warehouse import cli
from qa_warehouse.load.raw_schema import LOAD_STATUSES
from qa_warehouse.migrations import TABLE, MigrationError, current_version, latest_version, migrate, read_migrations

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[1]
BEFORE_MIGRATIONS = "0020ce7"  # the last commit whose owned tables were made by DDL in Python
PACKAGE_MIGRATIONS = REPO / "src" / "qa_warehouse" / "migrations"
OWNED_SCHEMAS = ("raw", "raw_incoming", "quarantine", "reporting", "warehouse_meta")


def connect(url: str):
    return closing(psycopg2.connect(url))


def query(url: str, sql: str, params=None) -> list[tuple]:
    with connect(url) as conn, conn.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall() if cur.description else []
        conn.commit()
        return rows


def recorded(url: str) -> list[tuple[int, str]]:
    return query(url, f"select version, name from {TABLE} order by version")


def copy_of_the_migrations(folder: Path) -> Path:
    folder.mkdir()
    for path in PACKAGE_MIGRATIONS.glob("*.sql"):
        shutil.copy(path, folder / path.name)
    return folder


class CountingCursor(psycopg2.extensions.cursor):
    statements = 0

    def execute(self, query, vars=None):
        CountingCursor.statements += 1
        return super().execute(query, vars)


def test_the_package_ships_contiguous_numbered_migrations():
    versions = [m.version for m in read_migrations()]
    assert versions == list(range(1, len(versions) + 1)) and versions
    assert {m.file_name for m in read_migrations()} == {p.name for p in PACKAGE_MIGRATIONS.glob("*.sql")}


def test_a_fresh_database_migrates_to_the_latest_version_and_a_second_run_is_one_query(new_database):
    url = new_database("mig")
    with connect(url) as conn:
        applied = migrate(conn)
        assert [m.version for m in applied] == list(range(1, latest_version() + 1))
        assert current_version(conn) == latest_version()
        conn.rollback()
        conn.cursor_factory = CountingCursor
        CountingCursor.statements = 0
        assert migrate(conn) == []
        assert CountingCursor.statements == 1
        assert conn.autocommit is False  # left as it was given
    assert recorded(url) == [(m.version, m.name) for m in read_migrations()]
    checksums = dict(query(url, f"select name, checksum from {TABLE}"))
    assert checksums == {m.name: m.checksum for m in read_migrations()}
    # the load log's status check allows exactly the statuses the code writes
    ((check,),) = query(
        url,
        "select pg_get_constraintdef(oid) from pg_constraint where conname = 'load_log_status_check'",
    )
    assert all(f"'{status}'" in check for status in LOAD_STATUSES), check


def test_qa_warehouse_migrate_applies_the_migrations_and_prints_the_version(warehouse, capsys):
    assert cli.main(["migrate"]) == 0
    out = capsys.readouterr().out
    assert "applied 0001_raw_layer.sql" in out and f"migrated to schema version {latest_version()}" in out
    assert cli.main(["migrate"]) == 0
    assert f"schema version {latest_version()}, up to date" in capsys.readouterr().out


# ---- a warehouse built before migrations, upgraded in place ------------------------------------


def code_before_migrations(path: str, monkeypatch) -> types.ModuleType:
    """The module at `path` as commit 0020ce7 had it, run from git (its imports resolve to today's
    package, whose contracts, settings and disclosure it shares)."""
    try:
        source = subprocess.run(
            ["git", "show", f"{BEFORE_MIGRATIONS}:{path}"], cwd=REPO, check=True, capture_output=True, text=True
        ).stdout
    except (OSError, subprocess.CalledProcessError) as error:
        pytest.skip(f"needs the git history holding {BEFORE_MIGRATIONS} (the code before migrations): {error}")
    module = types.ModuleType(f"before_migrations_{Path(path).stem}")
    monkeypatch.setitem(sys.modules, module.__name__, module)  # dataclasses look their module up
    exec(compile(source, f"{BEFORE_MIGRATIONS}:{path}", "exec"), module.__dict__)
    return module


def build_the_warehouse_as_before_migrations(url: str, monkeypatch) -> None:
    """The owned tables as 0020ce7's ingest, build and publish made them, with rows in each."""
    from qa_warehouse.periods import Period
    from qa_warehouse.warehouse import Warehouse, _normalise

    raw_schema = code_before_migrations("src/qa_warehouse/load/raw_schema.py", monkeypatch)
    postcodes = code_before_migrations("src/qa_warehouse/load/postcodes.py", monkeypatch)
    editions = code_before_migrations("src/qa_warehouse/publish/editions.py", monkeypatch)
    swap = code_before_migrations("src/qa_warehouse/publish/swap.py", monkeypatch)
    swap.editions = editions  # the old publish with the old editions

    with connect(url) as conn:
        raw_schema.ensure_raw_schema(conn)  # ingest's raw layer
        with conn.cursor() as cur:
            cur.execute("""insert into raw.load_log (load_id, extract, la_code, extract_date, file_name, file_hash,
                                                     status, rows_loaded, started_at, finished_at)
                           values (nextval('raw.load_id_seq'), 'carer_visits', '885', '2025-03-31',
                                   'carer_visits_885_20250331.csv', 'abc', 'accepted', 3, now(), now()),
                                  (nextval('raw.load_id_seq'), 'carer_visits', '885', '2025-04-30',
                                   'carer_visits_885_20250430.csv', 'def', 'quarantined', 0, now(), now())""")
        conn.commit()
        postcodes.load_postcode_centroids(conn)  # the build's postcode step
        with conn.cursor() as cur:
            cur.execute("insert into raw.postcode_centroids values ('NE14ST', 424273, 564577)")
        conn.commit()
        # a reporting table dbt would have built, with a declared key, so that figures are kept
        name, model = sorted(editions.declared_models().items())[0]
        columns = [*model.grain, *([] if "period_end" in model.grain else ["period_end"])]
        with conn.cursor() as cur:
            cur.execute("create schema reporting_build")
            cur.execute(
                f"create table reporting_build.{name} ("
                + ", ".join(f"{c} {'date' if c == 'period_end' else 'text'}" for c in columns)
                + ", a_figure numeric)"
            )
            cur.execute(
                f"insert into reporting_build.{name} values ("
                + ", ".join("'2025-03-31'" if c == "period_end" else "'x'" for c in columns)
                + ", 42)"
            )
        conn.commit()
    # the publish of a period close: publication log, edition, its figures and latest_figures
    swap._swap_in(Warehouse(_normalise(url), "test"), Period("month", date(2025, 3, 1), date(2025, 3, 31)))


OWNED_ROWS = (
    "raw.load_log",
    "raw.gate_code_lists",
    "raw.postcode_centroids",
    "reporting.publication_log",
    "reporting.editions",
    "reporting.edition_figures",
    "reporting.latest_figures",
    "reporting.restatements",
    "reporting.figures_published_and_latest",
)


def rows(url: str, columns: dict[str, list[str]] | None = None) -> dict[str, list]:
    """Every owned table's rows (only `columns[table]`, when given: the columns a table had before a
    migration added more)."""
    return {
        table: sorted(query(url, f"select {', '.join((columns or {}).get(table, ['*']))} from {table}"), key=repr)
        for table in OWNED_ROWS
    }


def columns_of(url: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for schema, table, column in query(
        url,
        """select table_schema, table_name, column_name from information_schema.columns
           where table_schema = any(%s) order by table_schema, table_name, ordinal_position""",
        (list(OWNED_SCHEMAS),),
    ):
        found.setdefault(f"{schema}.{table}", []).append(column)
    return found


def owned_relations(url: str) -> list[tuple[str, str]]:
    return query(
        url,
        """select n.nspname, c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
           where n.nspname = any(%s) and c.relkind in ('r', 'p', 'v', 'S') order by 1, 2""",
        (list(OWNED_SCHEMAS),),
    )


def schema_of(url: str, relations: list[tuple[str, str]]) -> dict[str, list]:
    """Columns, constraints, indexes, views, triggers, sequences and functions of `relations`."""
    names = [f'"{schema}"."{name}"' for schema, name in relations]
    return {
        "columns": query(
            url,
            """select table_schema, table_name, column_name, ordinal_position, data_type, udt_name, is_nullable,
                      column_default, is_identity, identity_generation
               from information_schema.columns
               where format('%%I.%%I', table_schema, table_name)::regclass = any(%s::regclass[])
               order by 1, 2, 4""",
            (names,),
        ),
        "constraints": query(
            url,
            """select conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid) from pg_constraint
               where conrelid = any(%s::regclass[]) order by 1, 2""",
            (names,),
        ),
        "indexes": query(
            url,
            """select indexrelid::regclass::text, pg_get_indexdef(indexrelid) from pg_index
               where indrelid = any(%s::regclass[]) order by 1""",
            (names,),
        ),
        "views": query(
            url,
            "select oid::regclass::text, pg_get_viewdef(oid) from pg_class where oid = any(%s::regclass[])"
            " and relkind = 'v' order by 1",
            (names,),
        ),
        "triggers": query(
            url,
            """select tgrelid::regclass::text, tgname, pg_get_triggerdef(oid) from pg_trigger
               where tgrelid = any(%s::regclass[]) and not tgisinternal order by 1, 2""",
            (names,),
        ),
        "sequences": query(
            url,
            """select sequence_schema, sequence_name, data_type, start_value, increment from information_schema.sequences
               where sequence_schema = any(%s) order by 1, 2""",
            (list(OWNED_SCHEMAS),),
        ),
        "functions": query(
            url,
            """select p.oid::regprocedure::text, pg_get_functiondef(p.oid) from pg_proc p
               join pg_namespace n on n.oid = p.pronamespace where n.nspname = any(%s) order by 1""",
            (list(OWNED_SCHEMAS),),
        ),
    }


def test_a_warehouse_built_before_migrations_upgrades_in_place(new_database, monkeypatch):
    before = new_database("before")
    build_the_warehouse_as_before_migrations(before, monkeypatch)
    kept, had = rows(before), columns_of(before)
    assert all(kept[t] for t in ("raw.load_log", "raw.gate_code_lists", "raw.postcode_centroids")), kept
    assert kept["reporting.publication_log"] and kept["reporting.editions"] and kept["reporting.edition_figures"]

    with connect(before) as conn:
        assert [m.version for m in migrate(conn)] == list(range(1, latest_version() + 1))
        assert migrate(conn) == []
    assert rows(before, had) == kept  # every row kept, as it was (later migrations may add columns)

    fresh = new_database("fresh")
    with connect(fresh) as conn:
        migrate(conn)
    relations = owned_relations(fresh)
    assert ("raw", "load_log") in relations and ("reporting", "editions") in relations
    assert set(relations) <= set(owned_relations(before))
    assert schema_of(before, relations) == schema_of(fresh, relations)

    # today's code goes on from there: the next ingest's raw layer, the editions' guard
    from qa_warehouse.load.raw_schema import ensure_raw_schema

    with connect(before) as conn:
        ensure_raw_schema(conn)
    with pytest.raises(psycopg2.errors.RaiseException, match="immutable"):
        query(before, "delete from reporting.editions")


# ---- refusals ----------------------------------------------------------------------------------


def test_an_edited_applied_migration_is_refused_by_name(new_database, tmp_path):
    url = new_database("edited")
    folder = copy_of_the_migrations(tmp_path / "migrations")
    with connect(url) as conn:
        migrate(conn, folder)
        edited = folder / "0003_publication_log.sql"
        edited.write_text(edited.read_text(encoding="utf-8") + "alter table reporting.publication_log add x int;\n")
        with pytest.raises(MigrationError, match=r"0003_publication_log\.sql .*edited"):
            migrate(conn, folder)
    assert query(url, "select column_name from information_schema.columns where column_name = 'x'") == []


def test_a_warehouse_migrated_by_newer_code_is_refused(new_database):
    url = new_database("newer")
    with connect(url) as conn:
        migrate(conn)
    query(url, f"insert into {TABLE} (version, name, checksum) values (9999, '9999_from_the_future', 'x')")
    with connect(url) as conn, pytest.raises(MigrationError, match=r"does not know: 9999 \(9999_from_the_future\)"):
        migrate(conn)


def test_a_failing_migration_is_named_and_leaves_nothing_of_itself(new_database, tmp_path):
    url = new_database("failing")
    folder = copy_of_the_migrations(tmp_path / "migrations")
    (folder / "9000_broken.sql").write_text("create table raw.half_made (a int);\nselect 1 / 0;\n")
    with connect(url) as conn, pytest.raises(MigrationError, match=r"9000_broken\.sql failed: division by zero"):
        migrate(conn, folder)
    assert recorded(url)[-1][0] == latest_version()  # the ones before it stay applied
    assert query(url, "select to_regclass('raw.half_made')") == [(None,)]


def test_a_file_not_named_by_number_is_refused(tmp_path):
    folder = copy_of_the_migrations(tmp_path / "migrations")
    (folder / "5_no_padding.sql").write_text("select 1;\n")
    with pytest.raises(MigrationError, match="5_no_padding.sql is not named NNNN_short_name.sql"):
        read_migrations(folder)


def test_two_processes_migrating_at_once_leave_one_set_of_rows(new_database, tmp_path):
    url = new_database("concurrent")
    folder = copy_of_the_migrations(tmp_path / "migrations")
    # slow enough that the second process arrives while the first holds the lock
    (folder / "9000_slow.sql").write_text("select pg_sleep(0.5);\ncreate table warehouse_meta.made_once (a int);\n")
    start = threading.Barrier(2)
    applied: list[list[int]] = []
    errors: list[BaseException] = []

    def run():
        try:
            with connect(url) as conn:
                start.wait()
                applied.append([m.version for m in migrate(conn, folder)])
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    versions = [m.version for m in read_migrations(folder)]
    assert sorted(v for run in applied for v in run) == versions  # each applied once, by one of them
    assert [v for v, _ in recorded(url)] == versions
