-- Per authority, current delivery and rule: how many rows and subjects (children, households...)
-- broke it, and how many rows of that delivery were held out of every figure. Counts only: the
-- rows themselves are in restricted_data_quality.data_quality_rows, for the data team.
with findings as (
    select
        la_code,
        extract,
        load_id,
        file_name,
        extract_date,
        rule,
        rule_source,
        severity,
        count(distinct source_row) as rows_found,
        count(distinct subject) as subjects
    from {{ ref('fct_data_quality_findings') }}
    group by la_code, extract, load_id, file_name, extract_date, rule, rule_source, severity
),

held as (
    select load_id, count(*) as rows_held, count(distinct subject) as subjects_held
    from {{ ref('stg_data_quality__held_rows') }}
    group by load_id
)

select
    findings.la_code,
    findings.extract,
    findings.load_id,
    findings.file_name,
    findings.extract_date,
    findings.rule,
    findings.rule_source,
    findings.severity,
    cast(findings.rows_found as integer) as rows_found,
    cast(findings.subjects as integer) as subjects,
    cast(coalesce(held.rows_held, 0) as integer) as load_rows_held,
    cast(coalesce(held.subjects_held, 0) as integer) as load_subjects_held
from findings
left join held
    on held.load_id = findings.load_id
