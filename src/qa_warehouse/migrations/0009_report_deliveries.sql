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

-- Described as every published table is (migration 0008): Metabase and Power BI show these comments.
comment on table reporting.report_deliveries is
    'The period-close editions whose reports (Performance on a Page, the SEF export) the qa_deliver_reports DAG put in the outbox, or recorded as superseded: one row per edition.';
comment on column reporting.report_deliveries.edition_id is 'The edition delivered (reporting.editions).';
comment on column reporting.report_deliveries.delivered_at is 'When its folder was put in place in the outbox, or it was recorded as superseded.';
comment on column reporting.report_deliveries.status is 'delivered: its folder is in the outbox; superseded: not delivered, because a later edition of the period exists or the published figures are no longer the edition''s (note says which).';
comment on column reporting.report_deliveries.folder is 'Its folder, relative to the outbox: <period kind>/<period>/edition-<id>; null when superseded.';
comment on column reporting.report_deliveries.files is 'The files delivered, relative to its folder.';
comment on column reporting.report_deliveries.note is 'Why it was superseded, or which authorities had no report and why.';
