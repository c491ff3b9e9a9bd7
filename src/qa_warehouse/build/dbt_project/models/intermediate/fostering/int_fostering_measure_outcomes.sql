-- Every fostering measure's outcome, one row per subject, period end and measure: the list
-- behind every number on the scorecard. The subject is the household, or for
-- notifications_1_day the notification. due_date and days_overdue say what is late and by how
-- much (days_overdue is set on out-of-time rows only): restricted_fostering.fostering_exceptions.
select
    measure_code,
    'household' as subject_type,
    household_key as subject_key,
    household_key,
    la_code,
    team,
    team_key,
    period_end,
    outcome,
    last_event_date,
    due_date,
    cast(null as date) as received_date,
    days_overdue
from {{ ref('int_fostering_recency_measure_outcomes') }}

union all

select
    measure_code,
    'household' as subject_type,
    household_key as subject_key,
    household_key,
    la_code,
    team,
    team_key,
    period_end,
    outcome,
    last_event_date,
    due_date,
    cast(null as date) as received_date,
    days_overdue
from {{ ref('int_fostering_tsd_outcomes') }}

union all

select
    measure_code,
    'notification' as subject_type,
    notification_key as subject_key,
    household_key,
    la_code,
    team,
    team_key,
    period_end,
    outcome,
    last_event_date,
    due_date,
    received_date,
    days_overdue
from {{ ref('int_fostering_notification_outcomes') }}
