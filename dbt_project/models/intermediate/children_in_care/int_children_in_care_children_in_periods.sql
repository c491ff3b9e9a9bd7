-- One row per child looked after at some time in each reporting period (D = period_end):
-- * looked after at D: an episode with DECOM <= D and DEC NULL or after D (a child whose
--   episode ended on D left care that day), in that episode's placement type;
-- * looked after during the period: an episode with DECOM <= D and DEC NULL or on or after the
--   period start, in the placement type of the child's last such episode (so the types add up);
-- * started: a period of care starting in the period (the first one's first placement type);
-- * ceased: a period of care ending in the period (the last one's last placement type).
-- A child who leaves and comes back in the period is one child: counted once in each figure.
with periods as (
    select la_code, period_type, period_start, period_end, financial_year
    from {{ ref('int_children_in_care_reporting_periods') }}
),

episodes as (
    select * from {{ ref('int_children_in_care_care_episodes') }}
),

during as (
    select distinct on (periods.la_code, periods.period_type, periods.period_end, episodes.child_key)
        periods.la_code, periods.period_type, periods.period_end, episodes.child_key,
        episodes.placement_type
    from periods
    inner join episodes
        on episodes.la_code = periods.la_code
        and episodes.decom <= periods.period_end
        and (episodes.dec is null or episodes.dec >= periods.period_start)
    order by periods.la_code, periods.period_type, periods.period_end, episodes.child_key, episodes.decom desc
),

at_end as (
    select periods.la_code, periods.period_type, periods.period_end, episodes.child_key,
           episodes.placement_type
    from periods
    inner join episodes
        on episodes.la_code = periods.la_code
        and episodes.decom <= periods.period_end
        and (episodes.dec is null or episodes.dec > periods.period_end)
),

started as (
    select distinct on (periods.la_code, periods.period_type, periods.period_end, care.child_key)
        periods.la_code, periods.period_type, periods.period_end, care.child_key,
        care.first_placement_type as placement_type
    from periods
    inner join {{ ref('int_children_in_care_periods_of_care') }} as care
        on care.la_code = periods.la_code
        and care.period_of_care_start between periods.period_start and periods.period_end
    order by periods.la_code, periods.period_type, periods.period_end, care.child_key, care.period_of_care_start
),

ceased as (
    select distinct on (periods.la_code, periods.period_type, periods.period_end, care.child_key)
        periods.la_code, periods.period_type, periods.period_end, care.child_key,
        care.last_placement_type as placement_type
    from periods
    inner join {{ ref('int_children_in_care_periods_of_care') }} as care
        on care.la_code = periods.la_code
        and care.period_of_care_end between periods.period_start and periods.period_end
    order by periods.la_code, periods.period_type, periods.period_end, care.child_key, care.period_of_care_end desc
)

select
    periods.la_code,
    periods.period_type,
    periods.period_start,
    periods.period_end,
    periods.financial_year,
    during.child_key,
    at_end.child_key is not null as looked_after_at_period_end,
    at_end.placement_type as placement_type_at_period_end,
    during.placement_type as placement_type_during_period,
    started.child_key is not null as started_in_period,
    started.placement_type as placement_type_at_start,
    ceased.child_key is not null as ceased_in_period,
    ceased.placement_type as placement_type_at_cease
from during
inner join periods
    on periods.la_code = during.la_code
    and periods.period_type = during.period_type
    and periods.period_end = during.period_end
left join at_end
    on at_end.la_code = during.la_code and at_end.period_type = during.period_type
    and at_end.period_end = during.period_end and at_end.child_key = during.child_key
left join started
    on started.la_code = during.la_code and started.period_type = during.period_type
    and started.period_end = during.period_end and started.child_key = during.child_key
left join ceased
    on ceased.la_code = during.la_code and ceased.period_type = during.period_type
    and ceased.period_end = during.period_end and ceased.child_key = during.child_key
