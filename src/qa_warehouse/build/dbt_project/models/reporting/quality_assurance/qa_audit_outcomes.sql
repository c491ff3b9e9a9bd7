-- Audit outcomes per authority, financial quarter (of audit_date), service and audit type, over
-- the authority's reporting quarters of case_file_audits (docs/quality-assurance-figures.md).
with actions as (
    select
        audit_key,
        count(*) as actions_set,
        count(*) filter (where loop_closed) as loops_closed
    from {{ ref('fct_qa_audit_actions') }}
    group by audit_key
),

counted as (
    select
        audits.la_code,
        audits.quarter_start,
        audits.service,
        audits.audit_type,
        count(*) as audits_completed,
        count(*) filter (where audits.is_good_or_better) as good_or_better,
        count(*) filter (where audits.is_moderated) as audits_moderated,
        count(*) filter (where audits.moderation_change = 'up') as moderated_up,
        count(*) filter (where audits.moderation_change = 'down') as moderated_down,
        count(*) filter (where audits.moderation_change = 'none') as moderated_unchanged,
        avg(audits.days_to_moderation) as average_days_to_moderation,
        count(*) filter (where audits.child_views_sought) as child_views_sought,
        count(*) filter (where audits.parent_views_sought) as parent_views_sought,
        count(*) filter (where audits.carer_views_sought) as carer_views_sought,
        coalesce(sum(actions.actions_set), 0) as actions_set,
        coalesce(sum(actions.loops_closed), 0) as loops_closed
    from {{ ref('fct_qa_audits') }} as audits
    left join actions
        on actions.audit_key = audits.audit_key
    group by audits.la_code, audits.quarter_start, audits.service, audits.audit_type
)

select
    counted.la_code,
    quarters.period_start,
    quarters.period_end,
    quarters.financial_year,
    quarters.financial_quarter,
    counted.service,
    counted.audit_type,
    cast(counted.audits_completed as integer) as audits_completed,
    cast(counted.good_or_better as integer) as good_or_better,
    {{ percentage('counted.good_or_better', 'counted.audits_completed') }} as good_or_better_percentage,
    cast(counted.audits_moderated as integer) as audits_moderated,
    cast(counted.moderated_up as integer) as moderated_up,
    cast(counted.moderated_down as integer) as moderated_down,
    cast(counted.moderated_unchanged as integer) as moderated_unchanged,
    cast(counted.average_days_to_moderation as numeric) as average_days_to_moderation,
    cast(counted.child_views_sought as integer) as child_views_sought,
    cast(counted.parent_views_sought as integer) as parent_views_sought,
    cast(counted.carer_views_sought as integer) as carer_views_sought,
    cast(counted.actions_set as integer) as actions_set,
    cast(counted.loops_closed as integer) as loops_closed,
    {{ percentage('counted.loops_closed', 'counted.actions_set') }} as loops_closed_percentage
from counted
inner join {{ ref('int_quality_assurance_reporting_quarters') }} as quarters
    on quarters.extract = 'case_file_audits'
    and quarters.la_code = counted.la_code
    and quarters.period_start = counted.quarter_start
