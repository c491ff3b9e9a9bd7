-- The editions whose reports were delivered to the outbox (qa_warehouse.reports.outbox; README,
-- "Reports delivered"). The reporting Asset is emitted by every publication, not only by period
-- closes: the delivery DAG delivers only the editions without a row here, and records each in the
-- same step that puts its folder in place, so a re-run delivers nothing twice.
create table reporting.report_deliveries (
    edition_id bigint primary key references reporting.editions,
    delivered_at timestamptz not null default now(),
    -- delivered: its folder is in the outbox; superseded: not delivered, because a later edition of
    -- the same period exists or the published figures no longer are the edition's (note says which)
    status text not null check (status in ('delivered', 'superseded')),
    folder text,  -- relative to the outbox: <period kind>/<period>/edition-<id>
    files text[] not null default '{}',
    note text);
