-- Regulation 44 independent visits per children's home and month (a home open in the month or
-- visited in it; home_key is pseudonymous), and per provision (home_key NULL) and authority
-- (provision and home_key NULL): visits, recommendations, and the homes open all month that had
-- the visit the regulation requires each month. Definitions: docs/residential-figures.md.
with home_months as (
    select *
    from {{ ref('fct_residential_home_months') }}
    where is_open_in_month or reg44_visits > 0
),

figures as (
    select
        la_code, period_end, provision, home_key,
        sum(reg44_visits) as visits,
        sum(reg44_recommendations) as recommendations,
        count(*) filter (where reg44_visits > 0) as homes_visited,
        count(*) filter (where is_open_all_month) as homes_open_all_month,
        count(*) filter (where is_open_all_month and reg44_visits > 0) as homes_open_all_month_visited
    from home_months
    group by grouping sets ((la_code, period_end, provision, home_key), (la_code, period_end, provision),
                            (la_code, period_end))
),

-- the provision and authority rows exist at every month end, 0 included
summary_grains as (
    select month_ends.la_code, month_ends.period_end, provisions.provision, cast(null as text) as home_key
    from {{ ref('int_residential_month_ends') }} as month_ends
    cross join (values ('internal'), ('external'), (null)) as provisions (provision)
),

grains as (
    select la_code, period_end, provision, home_key from summary_grains
    union all
    select la_code, period_end, provision, home_key from home_months
)

select
    grains.la_code,
    grains.period_end,
    dim_date.financial_year,
    dim_date.financial_quarter,
    grains.provision,
    grains.home_key,
    cast(coalesce(figures.visits, 0) as integer) as visits,
    cast(coalesce(figures.recommendations, 0) as integer) as recommendations,
    cast(coalesce(figures.homes_visited, 0) as integer) as homes_visited,
    cast(coalesce(figures.homes_open_all_month, 0) as integer) as homes_open_all_month,
    cast(coalesce(figures.homes_open_all_month_visited, 0) as integer) as homes_open_all_month_visited,
    cast({{ percentage('coalesce(figures.homes_open_all_month_visited, 0)',
                       'coalesce(figures.homes_open_all_month, 0)') }}
         as numeric) as visited_percentage
from grains
left join figures
    on figures.la_code = grains.la_code
    and figures.period_end = grains.period_end
    and figures.provision is not distinct from grains.provision
    and figures.home_key is not distinct from grains.home_key
inner join {{ ref('dim_calendar') }} as dim_date
    on dim_date.date_day = grains.period_end
