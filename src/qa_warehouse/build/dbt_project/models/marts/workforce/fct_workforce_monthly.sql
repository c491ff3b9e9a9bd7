-- Social work workforce per authority (team NULL) and team, at each of the last
-- workforce_history_months month ends, with England's figures of the latest census beside the rates.
-- Definitions (DfE children's social work workforce census): docs/workforce-figures.md. One place
-- for the figures: reporting.workforce_monthly publishes them, and the headline measures
-- (int_reporting_measure_counts) count the same FTE.
with month_ends as (
    select la_code, period_end, is_shown, is_latest
    from {{ ref('int_workforce_month_ends') }}
),

establishment as (
    select la_code, team, establishment_fte from {{ ref('stg_workforce__team_establishment') }}
),

-- every team with an establishment, and the authority (team NULL)
grains as (
    select la_code, team, establishment_fte from establishment
    union all
    select la_code, null, sum(establishment_fte) from establishment group by la_code
),

grid as (
    select grains.la_code, grains.team, grains.establishment_fte,
           month_ends.period_end, month_ends.is_shown, month_ends.is_latest
    from grains
    inner join month_ends on month_ends.la_code = grains.la_code
),

positions as (
    select
        la_code, team, period_end,
        count(distinct worker_key) as headcount,
        sum(fte) as fte_in_post,
        coalesce(sum(fte) filter (where contract = 'agency'), 0) as agency_fte,
        coalesce(sum(fte) filter (where contract = 'permanent'), 0) as employed_fte,
        coalesce(sum(fte) filter (where caseload > 0), 0) as case_holding_fte,
        coalesce(sum(caseload) filter (where caseload > 0), 0) as caseload_total
    from {{ ref('fct_workforce_positions') }}
    group by grouping sets ((la_code, team, period_end), (la_code, period_end))
),

leavers as (
    select
        month_ends.la_code, leavers.team, month_ends.period_end,
        count(*) as leavers,
        sum(leavers.fte) as leavers_fte
    from month_ends
    inner join {{ ref('fct_workforce_leavers') }} as leavers
        on leavers.la_code = month_ends.la_code
        and leavers.contract = 'permanent'
        and leavers.leave_date <= month_ends.period_end
        -- after the month end 12 months before
        and leavers.leave_date > cast(date_trunc('month', month_ends.period_end) - interval '11 months' as date) - 1
    where month_ends.is_shown
    group by grouping sets ((month_ends.la_code, leavers.team, month_ends.period_end),
                            (month_ends.la_code, month_ends.period_end))
),

figures as (
    select
        grid.la_code, grid.team, grid.period_end, grid.is_shown, grid.is_latest, grid.establishment_fte,
        coalesce(positions.headcount, 0) as headcount,
        coalesce(positions.fte_in_post, 0) as fte_in_post,
        coalesce(positions.agency_fte, 0) as agency_fte,
        coalesce(positions.employed_fte, 0) as employed_fte,
        coalesce(positions.case_holding_fte, 0) as case_holding_fte,
        coalesce(positions.caseload_total, 0) as caseload_total,
        -- the average of the employed FTE in post at the 12 month ends to D
        avg(coalesce(positions.employed_fte, 0)) over (
            partition by grid.la_code, grid.team order by grid.period_end rows between 11 preceding and current row
        ) as average_employed_fte_12_months,
        coalesce(leavers.leavers, 0) as leavers_12_months,
        coalesce(leavers.leavers_fte, 0) as leavers_fte_12_months
    from grid
    left join positions
        on positions.la_code = grid.la_code
        and positions.period_end = grid.period_end
        and positions.team is not distinct from grid.team
    left join leavers
        on leavers.la_code = grid.la_code
        and leavers.period_end = grid.period_end
        and leavers.team is not distinct from grid.team
),

national as (
    -- England's figures of the latest census (30 September) on or before each month end.
    select
        month_ends.period_end,
        max(reference.england_value) filter (where reference.measure_code = 'workforce_agency_rate')
            as national_agency_rate,
        max(reference.england_value) filter (where reference.measure_code = 'workforce_turnover_rate')
            as national_turnover_rate,
        max(reference.england_value) filter (where reference.measure_code = 'workforce_vacancy_rate')
            as national_vacancy_rate,
        max(reference.england_value) filter (where reference.measure_code = 'workforce_average_caseload')
            as national_average_caseload
    from (select distinct period_end from figures) as month_ends
    left join lateral (
        select distinct on (national_reference.measure_code)
            national_reference.measure_code,
            national_reference.england_value
        from {{ ref('int_workforce__national_reference') }} as national_reference
        where national_reference.census_date <= month_ends.period_end
        order by national_reference.measure_code asc, national_reference.census_date desc
    ) as reference on true
    group by month_ends.period_end
)

select
    figures.la_code,
    figures.team,
    figures.period_end,
    dim_date.financial_year,
    dim_date.financial_quarter,
    cast(figures.headcount as integer) as headcount,
    cast(figures.fte_in_post as numeric) as fte_in_post,
    cast(figures.employed_fte as numeric) as employed_fte,
    cast(figures.agency_fte as numeric) as agency_fte,
    cast({{ percentage('figures.agency_fte', 'figures.employed_fte + figures.agency_fte') }} as numeric) as agency_rate,
    national.national_agency_rate,
    cast(figures.leavers_12_months as integer) as leavers_12_months,
    cast(figures.leavers_fte_12_months as numeric) as leavers_fte_12_months,
    cast(figures.average_employed_fte_12_months as numeric) as average_employed_fte_12_months,
    cast({{ percentage('figures.leavers_fte_12_months', 'figures.average_employed_fte_12_months') }} as numeric)
        as turnover_rate,
    national.national_turnover_rate,
    cast(figures.establishment_fte as numeric) as establishment_fte,
    cast(figures.establishment_fte - figures.employed_fte as numeric) as vacancy_fte,
    cast({{ percentage('figures.establishment_fte - figures.employed_fte', 'figures.establishment_fte') }} as numeric)
        as vacancy_rate,
    national.national_vacancy_rate,
    -- caseloads are a snapshot at the extract date: only the latest month end has them
    cast(case when figures.is_latest then figures.case_holding_fte end as numeric) as case_holding_fte,
    cast(case when figures.is_latest then figures.caseload_total end as integer) as caseload_total,
    cast(case when figures.is_latest and figures.case_holding_fte > 0
              then figures.caseload_total / figures.case_holding_fte end as numeric) as average_caseload,
    national.national_average_caseload
from figures
left join national
    on national.period_end = figures.period_end
inner join {{ ref('dim_calendar') }} as dim_date
    on dim_date.date_day = figures.period_end
where figures.is_shown
