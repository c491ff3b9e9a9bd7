-- The row-level data-quality policy: every finding of the gate (ours and DfE's validators'), the
-- rows held out of modelling because of them, and which 903 deliveries DfE's validator has checked.
--
-- A finding's severity (qa_warehouse.load.data_quality.SEVERITIES): refuse_file quarantines the file;
-- hold keeps the row (for a 903 file, every row of that child in the delivery) in raw but out of
-- staging; warn loads it and lists it.

create table raw.data_quality_issues (
    issue_id bigint generated always as identity primary key,
    load_id bigint not null references raw.load_log (load_id),
    extract text not null,
    la_code text not null,
    extract_date date not null,
    file_name text not null,
    source_row bigint,  -- data row in the file (1 is the row after the header); null: the whole file
    subject text,       -- whom the row is about, as the contract's subject column names it (903: CHILD)
    rule text not null,
    rule_source text not null check (rule_source in ('contract', 'dfe_903')),
    severity text not null check (severity in ('refuse_file', 'hold', 'warn')),
    column_name text,
    value text,
    message text not null,
    recorded_at timestamptz not null default now()
);
create index data_quality_issues_load on raw.data_quality_issues (load_id);

-- Rows of accepted loads kept out of staging (qa_warehouse's current_snapshot macro reads this).
-- held_by: the rule that held the row itself, or 'child_held' when another row of the same child in
-- the same 903 delivery was held (a child with half a history would distort every measure).
create table raw.held_rows (
    load_id bigint not null references raw.load_log (load_id),
    source_row bigint not null,
    subject text,
    held_by text not null,
    primary key (load_id, source_row)
);

-- One row per 903 delivery (authority and extract date) DfE's validator has checked, with the loads
-- it read: a delivery whose set of accepted loads changes (a corrected file) is checked again.
create table raw.dfe_validations (
    la_code text not null,
    extract_date date not null,
    load_ids bigint [] not null,
    ruleset text not null,
    exact_ruleset boolean not null,  -- false: the extract date's year has no ruleset, the nearest ran
    findings integer not null,
    could_not_run text [] not null,  -- rules that raised inside DfE's validator
    validated_at timestamptz not null default now(),
    primary key (la_code, extract_date)
);

alter table raw.load_log add column rows_held bigint, add column rows_warned bigint;
