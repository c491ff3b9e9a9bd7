-- Notifications received within 1 day, in the last 6 months (measure notifications_1_day): the
-- population is notifications, not households. One row per notification and period end D for
-- every notification whose event date is within `population_window` of D, whatever the
-- household's status; the team is the household's. In time when received no later than
-- `received_within` after the event (its due date). Late only once its due date has come by D: an
-- event on D (due D + 1) is still in time at D before its day has run, whether or not it has been
-- received yet; a blank received date is out of time once the due date is on or before D. Never
-- not yet due (the measure has no such outcome: a notification is counted from its event).
with timescales as (
    select
        max(case when timescale_name = 'population_window' then {{ timescale_interval() }} end) as population_window,
        max(case when timescale_name = 'received_within' then {{ timescale_interval() }} end) as received_within
    from {{ ref('fostering_measure_timescales') }}
    where measure_code = 'notifications_1_day'
)

select
    'notifications_1_day' as measure_code,
    notifications.notification_key,
    notifications.household_key,
    periods.la_code,
    households.team,
    {{ team_key('households.la_code', 'households.team') }} as team_key,
    periods.period_end,
    case
        when notifications.received_date <= cast(notifications.event_date + timescales.received_within as date)
            then 'in_time'
        when cast(notifications.event_date + timescales.received_within as date) > periods.period_end
            then 'in_time'
        else 'out_of_time'
    end as outcome,
    notifications.event_date as last_event_date,
    cast(notifications.event_date + timescales.received_within as date) as due_date,
    notifications.received_date,
    -- out of time: the days received after the due date, or, not received, the days from the due
    -- date to D (0 when it fell due on D)
    case
        when notifications.received_date <= cast(notifications.event_date + timescales.received_within as date)
            then null
        when cast(notifications.event_date + timescales.received_within as date) > periods.period_end
            then null
        else greatest(
            coalesce(notifications.received_date, periods.period_end)
                - cast(notifications.event_date + timescales.received_within as date),
            0
        )
    end as days_overdue
from timescales
cross join {{ ref('int_fostering_reporting_periods') }} as periods
inner join {{ ref('stg_fostering__notifications') }} as notifications
    on notifications.la_code = periods.la_code
    and notifications.event_date <= periods.period_end
    and notifications.event_date > cast(periods.period_end - timescales.population_window as date)
-- the household gives the team; a notification for a household not on the register has none
inner join {{ ref('stg_fostering__carer_households') }} as households
    on households.household_key = notifications.household_key
