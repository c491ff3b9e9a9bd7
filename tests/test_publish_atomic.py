"""Publishing swaps every reporting table in one transaction: a reader sees the old publication or
the new one, never a mix, and the BI role can read the new tables."""

from __future__ import annotations

import threading
from contextlib import closing

from qa_warehouse.migrations import migrate
from qa_warehouse.publish.swap import publish


def _prepare(warehouse):
    with closing(warehouse.connect()) as conn:
        migrate(conn)  # the warehouse's own tables, as an ingest makes them: raw.current_loads among them
    warehouse.query("""
        insert into raw.load_log (load_id, extract, la_code, extract_date, file_name, file_hash, status)
            values (1, 'x', '885', '2025-03-31', 'f.csv', 'h', 'accepted');
        create schema reporting_build;
        create table reporting.scores as select 1 as edition; create table reporting.counts as select 1 as edition;
        create table reporting_build.scores as select 2 as edition; create table reporting_build.counts as select 2 as edition;
        select 1""")


def test_a_reader_sees_the_whole_old_publication_or_the_whole_new_one(warehouse):
    _prepare(warehouse)
    reader = warehouse.connect()
    reader.autocommit = False
    with closing(reader), reader.cursor() as cur:
        cur.execute("select edition from reporting.scores")
        assert cur.fetchone() == (1,)
        publisher = threading.Thread(target=publish)
        publisher.start()
        publisher.join(timeout=2)
        assert publisher.is_alive(), "publish must wait for the reader, not pull tables from under it"
        cur.execute("select edition from reporting.counts")
        assert cur.fetchone() == (1,), "mid-transaction the reader still sees the old publication"
        reader.commit()
        publisher.join(timeout=30)
        assert not publisher.is_alive()
        cur.execute("select (select edition from reporting.scores), (select edition from reporting.counts)")
        assert cur.fetchone() == (2, 2)
    assert warehouse.query("select count(*) from pg_tables where schemaname = 'reporting_build'") == [(0,)]
    with closing(warehouse.connect(user="qa_warehouse_bi")) as bi, bi.cursor() as cur:
        cur.execute("select edition from reporting.scores")
        assert cur.fetchone() == (2,)
    ((tables,),) = warehouse.query("select tables from reporting.publication_log")
    assert sorted(tables) == ["counts", "scores"]
