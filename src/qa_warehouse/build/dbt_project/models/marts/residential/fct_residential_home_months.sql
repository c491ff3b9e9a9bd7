-- One row per children's home and month end shown: its registration status on the month's first
-- day and at the month end, the judgement of its latest inspection on or before the month end (as
-- every delivery reported them: stg_residential__inspections), its places, and the regulation 44
-- visits in the month. A home appears in the months the authority knew of it (a status at the
-- month end) or in which it had a visit.
with homes as (
    select * from {{ ref('stg_residential__homes') }}
),

home_months as (
    select
        month_ends.la_code,
        month_ends.period_end,
        month_ends.month_start,
        month_ends.is_latest,
        homes.home_key,
        homes.provision,
        homes.registered_places,
        homes.occupied_places,
        homes.application_date,
        homes.registration_date,
        homes.closure_date,
        {{ residential_status_at('month_ends.month_start') }} as status_at_month_start,
        {{ residential_status_at('month_ends.period_end') }} as status_at_period_end
    from {{ ref('int_residential_month_ends') }} as month_ends
    inner join homes on homes.la_code = month_ends.la_code
),

inspections as (
    select home_key, inspection_date, inspection_judgement
    from {{ ref('stg_residential__inspections') }}
),

-- the latest inspection on or before each month end, and whether the home has any inspection
judgements as (
    select
        home_months.home_key,
        home_months.period_end,
        (array_agg(inspections.inspection_judgement order by inspections.inspection_date desc)
            filter (where inspections.inspection_date <= home_months.period_end))[1] as latest_judgement,
        count(*) filter (where inspections.inspection_date <= home_months.period_end) as inspections_by_period_end,
        count(inspections.inspection_date) as inspections_known
    from home_months
    left join inspections on inspections.home_key = home_months.home_key
    group by home_months.home_key, home_months.period_end
),

visits as (
    select
        home_months.home_key,
        home_months.period_end,
        count(*) as visits,
        sum(reg44.recommendations) as recommendations
    from home_months
    inner join {{ ref('stg_residential__reg44_visits') }} as reg44
        on reg44.home_key = home_months.home_key
        and reg44.visit_date between home_months.month_start and home_months.period_end
    group by home_months.home_key, home_months.period_end
)

select
    home_months.la_code,
    home_months.period_end,
    home_months.is_latest,
    home_months.home_key,
    home_months.provision,
    home_months.status_at_month_start,
    home_months.status_at_period_end,
    coalesce(home_months.status_at_period_end = 'registered', false) as is_open_at_period_end,
    -- registered on the first day and still at the end: nothing closed it in between
    coalesce(home_months.status_at_month_start = 'registered' and home_months.status_at_period_end = 'registered',
             false) as is_open_all_month,
    coalesce(home_months.status_at_month_start = 'registered', false)
        or coalesce(home_months.status_at_period_end = 'registered', false)
        or coalesce(home_months.registration_date between home_months.month_start and home_months.period_end, false)
        as is_open_in_month,
    coalesce(home_months.registration_date between home_months.month_start and home_months.period_end, false)
        as registered_in_month,
    coalesce(home_months.closure_date between home_months.month_start and home_months.period_end, false)
        as closed_in_month,
    home_months.registered_places,
    -- occupancy is a snapshot at the extract date: only the latest month end has it
    case when home_months.is_latest then home_months.occupied_places end as occupied_places,
    case
        when home_months.status_at_period_end <> 'registered' then null
        when judgements.inspections_by_period_end > 0 then judgements.latest_judgement
        when judgements.inspections_known = 0 then 'not_yet_inspected'
        -- inspected only after this month end, as far as the deliveries say: an inspection
        -- before it may not have been reported
        else 'not_known'
    end as inspection_judgement,
    home_months.application_date,
    home_months.registration_date,
    coalesce(visits.visits, 0) as reg44_visits,
    coalesce(visits.recommendations, 0) as reg44_recommendations
from home_months
inner join judgements
    on judgements.home_key = home_months.home_key
    and judgements.period_end = home_months.period_end
left join visits
    on visits.home_key = home_months.home_key
    and visits.period_end = home_months.period_end
where home_months.status_at_period_end is not null or visits.visits > 0
