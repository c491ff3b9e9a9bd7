-- One row per action of the current audit_actions delivery, with its audit's service and type,
-- its status as at that delivery's extract date, and whether the loop was closed: followed up on
-- or before the audit's follow-up deadline (56 days after moderation, or after the audit date
-- when the audit was not moderated). An action whose audit is not in the current
-- case_file_audits delivery keeps NULL audit attributes and never closes the loop.
select
    actions.action_key,
    actions.la_code,
    actions.audit_key,
    actions.owner_key,
    audits.service,
    audits.audit_type,
    audits.quarter_start as audit_quarter_start,
    actions.due_date,
    actions.completed_date,
    actions.followup_date,
    actions.followup_outcome,
    actions.extract_date,
    case
        when actions.completed_date <= actions.due_date then 'completed_on_time'
        when actions.completed_date > actions.due_date then 'completed_late'
        when actions.due_date <= actions.extract_date then 'open_overdue'
        else 'open_not_yet_due'
    end as action_status,
    -- the loop is closed by a follow-up within eight weeks (56 days) of the audit's moderation, or
    -- of the audit itself when it was not moderated (fct_qa_audits.moderation_date is then NULL)
    coalesce(audits.moderation_date, audits.audit_date) + 56 as followup_deadline,
    coalesce(actions.followup_date <= coalesce(audits.moderation_date, audits.audit_date) + 56, false)
        as loop_closed,
    cast(date_trunc('quarter', actions.due_date) as date) as due_quarter_start,
    dim_date.financial_year as due_financial_year,
    dim_date.financial_quarter as due_financial_quarter
from {{ ref('stg_quality_assurance__audit_actions') }} as actions
left join {{ ref('fct_qa_audits') }} as audits
    on audits.audit_key = actions.audit_key
left join {{ ref('dim_calendar') }} as dim_date
    on dim_date.date_day = actions.due_date
