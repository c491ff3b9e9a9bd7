"""The raw layer: every accepted file's rows, one partition per load, and the load log.

raw.<extract> is partitioned by load id. A file is copied into its own table in `raw_incoming`,
gated there, and only then attached as a partition, so a reader of raw never sees a half-loaded
or failing file. A failing file's table moves to `quarantine` for inspection.
"""
from __future__ import annotations

from psycopg2.extensions import connection

from qa_warehouse.contracts import Contract, all_contracts

# Each row carries its load and as-at date; file name and hash live once, in raw.load_log.
METADATA_COLUMNS = (
    ("_load_id", "bigint not null"),
    ("_source_row", "bigint"),  # data row number in the file: 1 is the row after the header
    ("_extract_date", "date"),
)
# released: a quarantined load a person has released (`qa-warehouse release`): the same bytes are
# gated again on the next run instead of being refused as already quarantined.
LOAD_STATUSES = ("loading", "accepted", "quarantined", "duplicate", "released")
RETIRED_METADATA_COLUMNS = ("_file_name", "_file_hash")  # kept per row before 0.1.0; now in the log
_BOOTSTRAP_LOCK = 804_903  # pg_advisory_xact_lock key: parallel ingest tasks create the schema once

_LOAD_LOG = f"""
create schema if not exists raw;
create schema if not exists raw_incoming;
create schema if not exists quarantine;
create sequence if not exists raw.load_id_seq;
create table if not exists raw.load_log (
    load_id bigint primary key,
    extract text not null,
    la_code text not null,
    extract_date date not null,
    file_name text not null,
    file_hash text not null,
    status text not null check (status in {LOAD_STATUSES!r}),
    rows_loaded bigint,
    errors jsonb,
    report_path text,
    duplicate_of bigint references raw.load_log (load_id),  -- same bytes as this earlier load
    started_at timestamptz not null default now(),
    finished_at timestamptz
);
alter table raw.load_log add column if not exists duplicate_of bigint references raw.load_log (load_id);
do $$ begin  -- a load log made before a status was added: widen its check
  if not exists (select 1 from pg_constraint where conname = 'load_log_status_check'
                 and pg_get_constraintdef(oid) like '%released%') then
    alter table raw.load_log drop constraint if exists load_log_status_check;
    alter table raw.load_log add constraint load_log_status_check check (status in {LOAD_STATUSES!r});
  end if;
end $$;
create index if not exists load_log_hash on raw.load_log (extract, la_code, file_hash);
-- The snapshot staging reads: the latest accepted delivery per extract and authority.
create or replace view raw.current_loads as
select distinct on (extract, la_code) extract, la_code, load_id, extract_date, file_name
from raw.load_log
where status = 'accepted'
order by extract, la_code, extract_date desc, load_id desc;
"""


def raw_layer_exists(cur) -> bool:
    """Whether any ingest has created the raw layer yet (raw.load_log and raw.current_loads)."""
    cur.execute("select to_regclass('raw.load_log') is not null")
    return cur.fetchone()[0]


def column_definitions(contract: Contract) -> list[str]:
    return [f'"{c.name}" {c.sql_type}' for c in contract.columns] + [f"{n} {t}" for n, t in METADATA_COLUMNS]


def ensure_raw_schema(conn: connection) -> None:
    """Create the raw layer, or add columns a newer contract introduced. Safe to run any time.

    Sent as one batch: it runs before every extract's ingest.
    """
    statements = [f"select pg_advisory_xact_lock({_BOOTSTRAP_LOCK})", _LOAD_LOG]
    for contract in all_contracts().values():
        table = f"raw.{contract.extract}"
        statements.append(f"create table if not exists {table} (" + ", ".join(column_definitions(contract))
                          + ") partition by list (_load_id)")
        statements += [f'alter table {table} add column if not exists "{c.name}" {c.sql_type}' for c in contract.columns]
        statements += [f"alter table {table} drop column if exists {name}" for name in RETIRED_METADATA_COLUMNS]
    with conn.cursor() as cur:
        cur.execute(";\n".join(statements))
    conn.commit()
