-- The raw layer's fixed objects: its schemas, the load log, the current loads and the gate's code lists.
--
-- Baseline (versions 1 to 4): every statement is "if not exists", "add column if not exists" or
-- "or replace", so that a warehouse built before migrations existed (by qa-warehouse 0.1.0's
-- DDL in Python) is brought to this state in place, its rows kept.
--
-- The raw tables of the extracts (raw.<extract>, one partition per load) are not here: they
-- follow the contracts and are made by qa_warehouse.load.raw_schema.ensure_raw_schema.

create schema if not exists raw;
create schema if not exists raw_incoming;  -- a file's table while it is copied and gated
create schema if not exists quarantine;    -- a refused file's table, kept for inspection
create sequence if not exists raw.load_id_seq;

create table if not exists raw.load_log (
    load_id bigint primary key,
    extract text not null,
    la_code text not null,
    extract_date date not null,
    file_name text not null,
    file_hash text not null,
    -- qa_warehouse.load.raw_schema.LOAD_STATUSES
    status text not null check (status in ('loading', 'accepted', 'quarantined', 'duplicate', 'released')),
    rows_loaded bigint,
    errors jsonb,
    report_path text,
    duplicate_of bigint references raw.load_log (load_id),  -- same bytes as this earlier load
    started_at timestamptz not null default now(),
    finished_at timestamptz
);
-- A load log made before 0.1.0 had no duplicate_of, and its check allowed fewer statuses.
alter table raw.load_log add column if not exists duplicate_of bigint references raw.load_log (load_id);
do $$ begin
  if not exists (select 1 from pg_constraint where conname = 'load_log_status_check'
                 and pg_get_constraintdef(oid) like '%released%') then
    alter table raw.load_log drop constraint if exists load_log_status_check;
    alter table raw.load_log add constraint load_log_status_check
        check (status in ('loading', 'accepted', 'quarantined', 'duplicate', 'released'));
  end if;
end $$;
create index if not exists load_log_hash on raw.load_log (extract, la_code, file_hash);

-- The snapshot staging reads: the latest accepted delivery per extract and authority.
create or replace view raw.current_loads as
select distinct on (extract, la_code) extract, la_code, load_id, extract_date, file_name
from raw.load_log
where status = 'accepted'
order by extract, la_code, extract_date desc, load_id desc;

-- The code lists the gate checks coded columns against (Column.code_list). Its rows are replaced
-- from the dbt seed ssda903_codes.csv before every ingest (ensure_raw_schema): data, not schema.
create table if not exists raw.gate_code_lists (
    code_list text not null,
    code text not null,
    valid_from date not null,
    valid_to date not null
);
