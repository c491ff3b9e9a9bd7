-- The children in need census: its findings may come from DfE's CIN validator, a finding in an XML
-- return names where it is (line and element path), and DfE's validations are kept per collection
-- (903 and CIN deliveries of the same authority and date are checked separately).

alter table raw.data_quality_issues drop constraint data_quality_issues_rule_source_check;
alter table raw.data_quality_issues
    add constraint data_quality_issues_rule_source_check check (rule_source in ('contract', 'dfe_903', 'dfe_cin')),
    add column location text;  -- XML returns: "line 57, /Message/Children[1]/Child[3]/CINdetails[1]/..."

alter table raw.dfe_validations add column collection text not null default '903';
alter table raw.dfe_validations drop constraint dfe_validations_pkey;
alter table raw.dfe_validations add primary key (collection, la_code, extract_date);
-- What the check found, for `qa-warehouse run` to print beside each file's outcome.
alter table raw.dfe_validations
    add column children_held integer,
    add column rows_held bigint,
    add column report_path text;

-- Where each row of an accepted XML return came from (its event's line and element path): DfE's
-- CIN validator runs after the load, and its findings on a row name where it is too.
create table raw.xml_row_locations (
    load_id bigint not null references raw.load_log (load_id),
    source_row bigint not null,
    location text not null,
    primary key (load_id, source_row)
);
