-- The fostering exception list: behind every "out of time" on the scorecard at each authority's
-- latest month end, the household (or notification) that is late, what is late and by how much.
-- Read from the same outcomes the scorecard counts (int_fostering_measure_outcomes), so the rule
-- is written once; its rows per authority, team, month end and measure number exactly the
-- scorecard's out_of_time (tests/fostering_exceptions_match_the_scorecard.sql).
-- Built in restricted_fostering_build; the publish step moves it to restricted_fostering, which
-- the fostering manager role reads and the BI role never does.
with latest_period as (
    select la_code, max(period_end) as period_end
    from {{ ref('int_fostering_reporting_periods') }}
    group by la_code
)

select
    outcomes.la_code,
    outcomes.team,
    outcomes.period_end,
    outcomes.measure_code,
    measures.measure_name,
    outcomes.subject_type,
    outcomes.subject_key,
    outcomes.household_key,
    outcomes.last_event_date,
    outcomes.due_date,
    outcomes.received_date,
    cast(outcomes.days_overdue as integer) as days_overdue
from {{ ref('int_fostering_measure_outcomes') }} as outcomes
inner join latest_period
    on latest_period.la_code = outcomes.la_code
    and latest_period.period_end = outcomes.period_end
inner join {{ ref('measure_targets') }} as measures
    on measures.measure_code = outcomes.measure_code
where outcomes.outcome = 'out_of_time'
