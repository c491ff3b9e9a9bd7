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
