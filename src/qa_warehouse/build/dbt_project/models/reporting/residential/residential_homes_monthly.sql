-- Children's homes per authority at each of the last residential_history_months month ends, by
-- provision (internal, external; NULL = all): homes by registration status, registrations and
-- closures in the month, registered places, and (latest month end only) occupied places and
-- vacancies. Definitions: docs/residential-figures.md.
with home_months as (
    select * from {{ ref('fct_residential_home_months') }}
),

grains as (
    select month_ends.la_code, month_ends.period_end, month_ends.is_latest, provisions.provision
    from {{ ref('int_residential_month_ends') }} as month_ends
    cross join (values ('internal'), ('external'), (null)) as provisions (provision)
),

figures as (
    select
        la_code, period_end, provision,
        count(*) filter (where status_at_period_end = 'applied') as homes_applied,
        count(*) filter (where status_at_period_end = 'registered') as homes_registered,
        count(*) filter (where status_at_period_end = 'unregistered') as homes_unregistered,
        count(*) filter (where status_at_period_end = 'closed') as homes_closed,
        count(*) filter (where registered_in_month) as homes_registered_in_month,
        count(*) filter (where closed_in_month) as homes_closed_in_month,
        coalesce(sum(registered_places) filter (where is_open_at_period_end), 0) as registered_places,
        coalesce(sum(occupied_places) filter (where is_open_at_period_end), 0) as occupied_places,
        coalesce(sum(occupied_places) filter (where status_at_period_end = 'unregistered'), 0)
            as unregistered_occupied_places
    from home_months
    group by grouping sets ((la_code, period_end, provision), (la_code, period_end))
)

select
    grains.la_code,
    grains.period_end,
    grains.provision,
    dim_date.financial_year,
    dim_date.financial_quarter,
    cast(coalesce(figures.homes_applied, 0) as integer) as homes_applied,
    cast(coalesce(figures.homes_registered, 0) as integer) as homes_registered,
    cast(coalesce(figures.homes_unregistered, 0) as integer) as homes_unregistered,
    cast(coalesce(figures.homes_closed, 0) as integer) as homes_closed,
    cast(coalesce(figures.homes_registered_in_month, 0) as integer) as homes_registered_in_month,
    cast(coalesce(figures.homes_closed_in_month, 0) as integer) as homes_closed_in_month,
    cast(coalesce(figures.registered_places, 0) as integer) as registered_places,
    -- occupancy is a snapshot at the extract date: only the latest month end has it
    cast(case when grains.is_latest then coalesce(figures.occupied_places, 0) end as integer) as occupied_places,
    cast(case when grains.is_latest
        then coalesce(figures.registered_places, 0) - coalesce(figures.occupied_places, 0) end
         as integer) as vacancies,
    cast(case when grains.is_latest
              then {{ percentage('coalesce(figures.occupied_places, 0)', 'coalesce(figures.registered_places, 0)') }}
         end as numeric) as occupancy_rate,
    cast(case when grains.is_latest then coalesce(figures.unregistered_occupied_places, 0) end as integer)
        as unregistered_occupied_places
from grains
left join figures
    on figures.la_code = grains.la_code
    and figures.period_end = grains.period_end
    and figures.provision is not distinct from grains.provision
inner join {{ ref('dim_calendar') }} as dim_date
    on dim_date.date_day = grains.period_end
