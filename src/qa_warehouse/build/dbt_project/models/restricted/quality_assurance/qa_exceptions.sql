-- The quality assurance exception list: behind every "not in time" of the quarterly report's
-- audits and complaints sections, in each authority's latest reporting quarter, the audit action
-- or complaint that is late, what it was due by and by how much. Each part selects exactly the
-- rows int_reporting_measure_counts counts as denominator but not numerator, from the same marts,
-- so per authority, quarter, measure and service the list numbers denominator - numerator
-- (tests/qa_exceptions_match_the_quarterly_report.sql).
-- Built in restricted_quality_assurance_build; the publish step moves it to
-- restricted_quality_assurance, which the quality assurance manager role reads and the BI role
-- never does. Pseudonymous keys only: no description, topic or other free text.

-- The latest reporting quarter of each authority and extract (a measure's quarters are those of
-- the extract it counts).
with latest_quarters as (
    select extract, la_code, max(period_start) as period_start, max(period_end) as period_end
    from {{ ref('int_quality_assurance_reporting_quarters') }}
    group by extract, la_code
),

-- audit_actions_on_time: actions due in the quarter (of an audit in the current audits delivery)
-- not completed by their due date. Reporting quarters end on or before the extract date, so an
-- open action due in one is always overdue.
late_actions as (
    select
        actions.la_code,
        quarters.period_start,
        quarters.period_end,
        'audit_actions_on_time' as measure_code,
        'audit_action' as subject_type,
        actions.action_key as subject_key,
        actions.audit_key,
        audits.subject_type as case_type,
        audits.subject_key as case_key,
        audits.service,
        actions.owner_key,
        actions.action_status as lateness,
        actions.due_date,
        actions.completed_date as done_date,
        cast(null as integer) as working_days_allowed,
        cast(null as integer) as working_days_taken,
        coalesce(actions.completed_date, actions.extract_date) - actions.due_date as days_late
    from {{ ref('fct_qa_audit_actions') }} as actions
    inner join {{ ref('fct_qa_audits') }} as audits
        on audits.audit_key = actions.audit_key
    inner join latest_quarters as quarters
        on quarters.extract = 'audit_actions'
        and quarters.la_code = actions.la_code
        and quarters.period_start = actions.due_quarter_start
    where actions.action_status <> 'completed_on_time'
),

-- audit_loops_closed: actions set by the quarter's audits whose follow-up was not done by the
-- follow-up deadline (56 days after moderation, or after the audit when not moderated). The report
-- counts an action whose deadline is still to come as not closed too: it is listed, 0 days late.
unclosed_loops as (
    select
        audits.la_code,
        quarters.period_start,
        quarters.period_end,
        'audit_loops_closed' as measure_code,
        'audit_action' as subject_type,
        actions.action_key as subject_key,
        actions.audit_key,
        audits.subject_type as case_type,
        audits.subject_key as case_key,
        audits.service,
        actions.owner_key,
        case
            when actions.followup_date is not null then 'followed_up_late'
            when actions.followup_deadline < actions.extract_date then 'not_followed_up'
            else 'follow_up_not_yet_due'
        end as lateness,
        actions.followup_deadline as due_date,
        actions.followup_date as done_date,
        cast(null as integer) as working_days_allowed,
        cast(null as integer) as working_days_taken,
        greatest(coalesce(actions.followup_date, actions.extract_date) - actions.followup_deadline, 0) as days_late
    from {{ ref('fct_qa_audit_actions') }} as actions
    inner join {{ ref('fct_qa_audits') }} as audits
        on audits.audit_key = actions.audit_key
    inner join latest_quarters as quarters
        on quarters.extract = 'case_file_audits'
        and quarters.la_code = audits.la_code
        and quarters.period_start = audits.quarter_start
    where not actions.loop_closed
),

-- complaints_in_timescale: complaints received in the quarter and responded to in more working
-- days than their stage's standard timescale. Their due date is the last working day of that
-- timescale (the standard_working_days-th working day after receipt, by the same calendar as
-- fct_qa_complaints), so every one is at least a day late.
late_complaints as (
    select
        complaints.la_code,
        quarters.period_start,
        quarters.period_end,
        'complaints_in_timescale' as measure_code,
        'complaint' as subject_type,
        complaints.record_key as subject_key,
        cast(null as text) as audit_key,
        cast(null as text) as case_type,
        cast(null as text) as case_key,
        complaints.service,
        cast(null as text) as owner_key,
        'responded_late' as lateness,
        timescale_end.due_date,
        complaints.responded_date as done_date,
        complaints.standard_working_days as working_days_allowed,
        complaints.working_days_to_response as working_days_taken,
        complaints.responded_date - timescale_end.due_date as days_late
    from {{ ref('fct_qa_complaints') }} as complaints
    inner join latest_quarters as quarters
        on quarters.extract = 'complaints'
        and quarters.la_code = complaints.la_code
        and quarters.period_start = complaints.quarter_start
    left join lateral (
        select numbered.day as due_date
        from (
            select
                cast(days.day as date) as day,
                row_number() over (order by days.day) as working_day_number
            -- 2 calendar days per working day, plus a fortnight of holidays, always reach the end
            from generate_series(
                complaints.received_date + 1,
                complaints.received_date + 2 * complaints.standard_working_days + 14,
                interval '1 day'
            ) as days (day)
            where extract(isodow from days.day) < 6
                and cast(days.day as date) not in (select holiday_date from {{ ref('bank_holidays_england') }})
        ) as numbered
        where numbered.working_day_number = complaints.standard_working_days
    ) as timescale_end on true
    where complaints.record_type = 'complaint'
        and complaints.responded_date is not null
        and not coalesce(complaints.within_timescale, false)
),

listed as (
    select * from late_actions
    union all
    select * from unclosed_loops
    union all
    select * from late_complaints
)

select
    listed.la_code,
    listed.period_start,
    listed.period_end,
    listed.measure_code,
    measures.measure_name,
    listed.subject_type,
    listed.subject_key,
    listed.audit_key,
    listed.case_type,
    listed.case_key,
    listed.service,
    listed.owner_key,
    listed.lateness,
    listed.due_date,
    listed.done_date,
    cast(listed.working_days_allowed as integer) as working_days_allowed,
    cast(listed.working_days_taken as integer) as working_days_taken,
    cast(listed.days_late as integer) as days_late
from listed
inner join {{ ref('measure_targets') }} as measures
    on measures.measure_code = listed.measure_code
