-- Audit grades per authority, financial quarter (of audit_date), service, audit type and domain
-- (six domains and overall = the final grade), over the reporting quarters of case_file_audits.
with counted as (
    select
        la_code,
        quarter_start,
        service,
        audit_type,
        domain,
        count(*) as audits,
        count(*) filter (where grade = 'outstanding') as outstanding,
        count(*) filter (where grade = 'good') as good,
        count(*) filter (where grade = 'requires_improvement') as requires_improvement,
        count(*) filter (where grade = 'inadequate') as inadequate,
        count(*) filter (where grade is null) as not_applicable
    from {{ ref('fct_qa_audit_domain_grades') }}
    group by la_code, quarter_start, service, audit_type, domain
)

select
    counted.la_code,
    quarters.period_start,
    quarters.period_end,
    quarters.financial_year,
    quarters.financial_quarter,
    counted.service,
    counted.audit_type,
    counted.domain,
    cast(counted.audits as integer) as audits,
    cast(counted.outstanding as integer) as outstanding,
    cast(counted.good as integer) as good,
    cast(counted.requires_improvement as integer) as requires_improvement,
    cast(counted.inadequate as integer) as inadequate,
    cast(counted.not_applicable as integer) as not_applicable,
    {{ percentage('counted.outstanding + counted.good', 'counted.audits - counted.not_applicable') }}
        as good_or_better_percentage
from counted
inner join {{ ref('int_quality_assurance_reporting_quarters') }} as quarters
    on quarters.extract = 'case_file_audits'
    and quarters.la_code = counted.la_code
    and quarters.period_start = counted.quarter_start
