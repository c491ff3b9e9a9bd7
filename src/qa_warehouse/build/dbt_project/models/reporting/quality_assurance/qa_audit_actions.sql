-- Audit actions per authority, financial quarter (of due_date), service and audit type (of the
-- action's audit), as at the extract date of the current audit_actions delivery, over the
-- reporting quarters of audit_actions. Every reported quarter ends on or before that date, so an
-- action without a completed_date is open and overdue.
with counted as (
    select
        la_code,
        due_quarter_start,
        service,
        audit_type,
        count(*) as actions_due,
        count(*) filter (where action_status = 'completed_on_time') as completed_on_time,
        count(*) filter (where action_status = 'completed_late') as completed_late,
        count(*) filter (where completed_date is null) as open_overdue,
        count(*) filter (where followup_date is not null) as followed_up,
        count(*) filter (where followup_outcome = 'completed') as followup_completed,
        count(*) filter (where followup_outcome = 'partly_completed') as followup_partly_completed,
        count(*) filter (where followup_outcome = 'not_completed') as followup_not_completed
    from {{ ref('fct_qa_audit_actions') }}
    -- an action whose audit is not in the current case_file_audits delivery has no service or type
    where service is not null
    group by la_code, due_quarter_start, service, audit_type
)

select
    counted.la_code,
    quarters.period_start,
    quarters.period_end,
    quarters.financial_year,
    quarters.financial_quarter,
    counted.service,
    counted.audit_type,
    cast(counted.actions_due as integer) as actions_due,
    cast(counted.completed_on_time as integer) as completed_on_time,
    cast(counted.completed_late as integer) as completed_late,
    cast(counted.open_overdue as integer) as open_overdue,
    {{ percentage('counted.completed_on_time', 'counted.actions_due') }} as on_time_percentage,
    cast(counted.followed_up as integer) as followed_up,
    cast(counted.followup_completed as integer) as followup_completed,
    cast(counted.followup_partly_completed as integer) as followup_partly_completed,
    cast(counted.followup_not_completed as integer) as followup_not_completed
from counted
inner join {{ ref('int_quality_assurance_reporting_quarters') }} as quarters
    on quarters.extract = 'audit_actions'
    and quarters.la_code = counted.la_code
    and quarters.period_start = counted.due_quarter_start
