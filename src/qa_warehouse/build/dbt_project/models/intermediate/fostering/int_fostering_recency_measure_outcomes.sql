-- Outcomes of the measures that ask "was the latest event of this kind recent enough at D?":
-- support_visits, unannounced_visits, annual_review, formal_supervision,
-- management_supervision and kit_call, i.e. every measure with an `event_within` timescale.
-- One row per household in the population, period end and measure.
--   in time:      the latest event on or before D is within `event_within` of D
--                 (annual_review: the latest review, or with none the approval date);
--   not yet due:  otherwise, the household was approved within `not_yet_due_after_approval`
--                 of D (only measures with that timescale);
--   out of time:  otherwise.
-- due_date is the date by which the next event had to happen for the household to stay in time
-- (or, not yet due, to become due): the later of last event + event_within and approval +
-- not_yet_due_after_approval; the approval date when neither applies (never had the event, no
-- grace period). An event on the due date still counts, so an out-of-time household at D is
-- days_overdue = D - due_date days late (0 on the due date itself).
with timescales as (
    select
        measure_code,
        max(case when timescale_name = 'event_within' then {{ timescale_interval() }} end) as event_within,
        max(case when timescale_name = 'not_yet_due_after_approval' then {{ timescale_interval() }} end)
            as not_yet_due_after_approval
    from {{ ref('fostering_measure_timescales') }}
    group by measure_code
),

recency_measures as (
    select * from timescales where event_within is not null
),

household_measures as (
    select
        population.household_key,
        population.la_code,
        population.team,
        population.team_key,
        population.approval_date,
        population.period_end,
        recency_measures.measure_code,
        recency_measures.event_within,
        recency_measures.not_yet_due_after_approval,
        cast(population.period_end - recency_measures.event_within as date) as event_window_start,
        cast(population.period_end - recency_measures.not_yet_due_after_approval as date)
            as not_yet_due_window_start
    from {{ ref('int_fostering_households_at_period_end') }} as population
    cross join recency_measures
),

-- The latest event on or before each period end, found with one sort rather than by joining every
-- period end to every earlier event: put a household's period ends and its events of the measure
-- on one timeline (an event on D sorts before D, so it counts) and carry the latest date forward.
timeline as (
    select
        household_key,
        measure_code,
        period_end as timeline_date,
        1 as is_period_end,
        cast(null as date) as event_date,
        la_code,
        team,
        team_key,
        approval_date,
        period_end,
        event_within,
        not_yet_due_after_approval,
        event_window_start,
        not_yet_due_window_start
    from household_measures

    union all

    select
        household_key,
        measure_code,
        event_date as timeline_date,
        0 as is_period_end,
        event_date,
        null, null, null, null, null, null, null, null, null
    from {{ ref('int_fostering_household_events') }}
),

with_latest_event as (
    select
        *,
        max(event_date) over (
            partition by household_key, measure_code
            order by timeline_date, is_period_end
            rows between unbounded preceding and current row
        ) as latest_event_date
    from timeline
),

with_reference_date as (
    select
        *,
        case
            -- the annual review falls back to the approval date when there has been no review
            when measure_code = 'annual_review' then coalesce(latest_event_date, approval_date)
            else latest_event_date
        end as last_event_date
    from with_latest_event
    where is_period_end = 1
),

with_outcome as (
    select
        *,
        case
            when last_event_date > event_window_start then 'in_time'
            when approval_date > not_yet_due_window_start then 'not_yet_due'
            else 'out_of_time'
        end as outcome,
        coalesce(
            -- greatest() ignores NULLs: no event, or no not-yet-due grace period
            greatest(
                cast(last_event_date + event_within as date),
                cast(approval_date + not_yet_due_after_approval as date)
            ),
            approval_date
        ) as due_date
    from with_reference_date
)

select
    measure_code,
    household_key,
    la_code,
    team,
    team_key,
    period_end,
    outcome,
    last_event_date,
    due_date,
    case when outcome = 'out_of_time' then period_end - due_date end as days_overdue
from with_outcome
