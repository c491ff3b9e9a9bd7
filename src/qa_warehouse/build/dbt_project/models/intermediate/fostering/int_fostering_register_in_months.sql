-- The foster carer register at each reporting month end D, per authority, team and carer type
-- (docs/fostering-register.md): households approved at D (int_fostering_households_at_period_end,
-- the one place that rule is written) and their approved places; households approved and
-- de-registered in the month. The register (carer_households) holds approved places but not which
-- are filled: no extract links a child's placement to a household.
with periods as (
    select la_code, period_end, cast(date_trunc('month', period_end) as date) as period_start
    from {{ ref('int_fostering_reporting_periods') }}
),

households as (
    select la_code, team, carer_type, approval_date, deregistration_date, approved_places
    from {{ ref('stg_fostering__carer_households') }}
),

groups as (
    select distinct la_code, team, carer_type from households
),

approved as (
    select
        at_end.la_code,
        at_end.period_end,
        at_end.team,
        at_end.carer_type,
        count(*) as households,
        sum(register.approved_places) as places,
        count(*) filter (where register.approved_places is null) as places_not_recorded
    from {{ ref('int_fostering_households_at_period_end') }} as at_end
    inner join {{ ref('stg_fostering__carer_households') }} as register
        on register.household_key = at_end.household_key
    group by at_end.la_code, at_end.period_end, at_end.team, at_end.carer_type
),

events as (
    select
        periods.la_code, periods.period_end, households.team, households.carer_type,
        count(*) filter (where households.approval_date between periods.period_start and periods.period_end)
            as approvals,
        count(*) filter (where households.deregistration_date between periods.period_start and periods.period_end)
            as deregistrations
    from periods
    inner join households on households.la_code = periods.la_code
    group by periods.la_code, periods.period_end, households.team, households.carer_type
)

select
    periods.la_code,
    periods.period_start,
    periods.period_end,
    groups.team,
    groups.carer_type,
    cast(coalesce(approved.households, 0) as integer) as approved_households,
    cast(coalesce(approved.places, 0) as integer) as approved_places,
    cast(coalesce(approved.places_not_recorded, 0) as integer) as approved_households_without_places_recorded,
    cast(coalesce(events.approvals, 0) as integer) as approvals_in_month,
    cast(coalesce(events.deregistrations, 0) as integer) as deregistrations_in_month
from periods
inner join groups on groups.la_code = periods.la_code
left join approved
    on approved.la_code = periods.la_code
    and approved.period_end = periods.period_end
    and approved.team = groups.team
    and approved.carer_type = groups.carer_type
left join events
    on events.la_code = periods.la_code
    and events.period_end = periods.period_end
    and events.team = groups.team
    and events.carer_type = groups.carer_type
