-- Editions: what a period close published, kept unchanged for good, and what changed since
-- (qa_warehouse.publish.editions; docs/editions.md). The tables, the triggers that refuse any
-- UPDATE, DELETE or TRUNCATE of an edition, and the two views that compare editions.
-- Baseline: see 0001. A figure is identified by (table_name, grain, figure); grain is jsonb so
-- that a null in the key (the authority-wide scorecard row's team) compares equal to itself.

create table if not exists reporting.editions (
    edition_id bigint generated always as identity primary key,
    period_kind text not null,
    period_first_day date not null,
    period_last_day date not null,
    as_at timestamptz not null,
    publication_id bigint not null unique references reporting.publication_log,
    loads jsonb not null,
    previous_edition_id bigint references reporting.editions,
    check (period_first_day <= period_last_day));

create table if not exists reporting.edition_figures (
    edition_id bigint not null references reporting.editions,
    table_name text not null,
    period_end date not null,
    grain jsonb not null,
    figure text not null,
    value numeric,
    primary key (edition_id, table_name, grain, figure));

create table if not exists reporting.latest_figures (
    publication_id bigint not null,
    table_name text not null,
    period_end date not null,
    grain jsonb not null,
    figure text not null,
    value numeric);  -- no key to maintain: rewritten whole, and dbt has tested each table's key
create index if not exists latest_figures_period_end on reporting.latest_figures (period_end);

create or replace function reporting.refuse_to_change_an_edition() returns trigger language plpgsql as $$
begin
    raise exception 'reporting.% is immutable: a published edition never changes', tg_table_name
        using hint = 'Publish the period again to make a new edition; reporting.restatements shows what changed.';
end $$;
create or replace trigger editions_are_immutable before update or delete on reporting.editions
    for each statement execute function reporting.refuse_to_change_an_edition();
create or replace trigger editions_are_never_truncated before truncate on reporting.editions
    for each statement execute function reporting.refuse_to_change_an_edition();
create or replace trigger edition_figures_are_immutable before update or delete on reporting.edition_figures
    for each statement execute function reporting.refuse_to_change_an_edition();
create or replace trigger edition_figures_are_never_truncated before truncate on reporting.edition_figures
    for each statement execute function reporting.refuse_to_change_an_edition();

create or replace view reporting.restatements as
select e.period_kind, e.period_first_day, e.period_last_day,
       c.table_name, c.period_end, c.grain, c.figure,
       case when c.previous_edition is null then 'added' when c.this_edition is null then 'removed'
            else 'changed' end as change,
       c.previous_value, c.new_value,
       p.edition_id as previous_edition_id, p.as_at as previous_as_at,
       e.edition_id, e.as_at,
       w.new_loads, w.why
from reporting.editions e
join reporting.editions p on p.edition_id = e.previous_edition_id
cross join lateral (
    select coalesce(jsonb_agg(l order by l->>'extract', l->>'la_code'), '[]'::jsonb) as new_loads,
           coalesce('loads since the previous edition: '
                    || string_agg(format('%s (%s %s, load %s)', l->>'file_name', l->>'extract', l->>'la_code',
                                         l->>'load_id'), ', ' order by l->>'extract', l->>'la_code'),
                    'no new loads since the previous edition: the same data built again '
                    || '(a changed model, seed or target)') as why
    from jsonb_array_elements(e.loads) l
    where not exists (select 1 from jsonb_array_elements(p.loads) pl where pl->'load_id' = l->'load_id')
) w
cross join lateral (
    select table_name, coalesce(n.period_end, o.period_end) as period_end, grain, figure,
           o.value as previous_value, n.value as new_value,
           o.edition_id as previous_edition, n.edition_id as this_edition
    from (select * from reporting.edition_figures where edition_id = p.edition_id) o
    full join (select * from reporting.edition_figures where edition_id = e.edition_id) n using (table_name, grain, figure)
    where o.edition_id is null or n.edition_id is null or o.value is distinct from n.value
) c;

create or replace view reporting.figures_published_and_latest as
select e.period_kind, e.period_first_day, e.period_last_day, e.edition_id, e.as_at as published_at,
       c.table_name, c.period_end, c.grain, c.figure, c.published_value, c.latest_value, c.changed,
       c.latest_publication_id
from (select distinct on (period_kind, period_first_day, period_last_day) *
      from reporting.editions order by period_kind, period_first_day, period_last_day, edition_id desc) e
cross join lateral (
    select table_name, coalesce(p.period_end, l.period_end) as period_end, grain, figure,
           p.value as published_value, l.value as latest_value,
           (p.edition_id is null or l.publication_id is null or p.value is distinct from l.value) as changed,
           l.publication_id as latest_publication_id
    from (select * from reporting.edition_figures where edition_id = e.edition_id) p
    full join (select * from reporting.latest_figures
               where period_end between e.period_first_day and e.period_last_day) l using (table_name, grain, figure)
) c;
