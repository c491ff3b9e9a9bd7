-- The publication log, published beside the figures: what each publication moved in and the
-- loads it was built from (qa_warehouse.publish.swap). Baseline: see 0001.

create schema if not exists reporting;
create table if not exists reporting.publication_log (
    publication_id bigint generated always as identity primary key,
    published_at timestamptz not null default now(),
    tables text[] not null,
    loads jsonb not null,
    -- A scheduled period close says which period it published; a publication after a delivery has none.
    period_kind text,
    period_first_day date,
    period_last_day date
);
-- A publication log made before period closes existed.
alter table reporting.publication_log add column if not exists period_kind text,
    add column if not exists period_first_day date, add column if not exists period_last_day date;
