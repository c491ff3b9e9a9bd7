-- One row per audit and domain: the six graded domains (grade NULL = not applicable to the
-- audit) and `overall`, whose grade is the audit's final grade.
select
    audits.audit_key,
    audits.la_code,
    audits.service,
    audits.audit_type,
    audits.audit_date,
    audits.quarter_start,
    audits.financial_year,
    audits.financial_quarter,
    domains.domain,
    domains.grade
from {{ ref('fct_qa_audits') }} as audits
cross join lateral (
    values
        ('voice_of_child', audits.grade_voice_of_child, 1),
        ('support_and_supervision', audits.grade_support_and_supervision, 2),
        ('safer_caring', audits.grade_safer_caring, 3),
        ('matching', audits.grade_matching, 4),
        ('approval_review_panel', audits.grade_approval_review_panel, 5),
        ('management_oversight', audits.grade_management_oversight, 6),
        ('overall', audits.final_grade, 7)
) as domains (domain, grade, domain_order)
