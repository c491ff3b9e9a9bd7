-- Delays in opening new children's homes, per authority at each month end: homes registered in
-- the month and in the 12 months to it with the days from application to registration, and the
-- applications still waiting at the month end with the days they have waited. Homes without an
-- application date count as registered or waiting, without days. Definitions:
-- docs/residential-figures.md.
with registrations as (
    select
        month_ends.la_code,
        month_ends.period_end,
        homes.registration_date between month_ends.month_start and month_ends.period_end as in_month,
        homes.registration_date - homes.application_date as days_to_registration
    from {{ ref('int_residential_month_ends') }} as month_ends
    inner join {{ ref('stg_residential__homes') }} as homes
        on homes.la_code = month_ends.la_code
        and homes.registration_date <= month_ends.period_end
        -- after the month end 12 months before
        and homes.registration_date
            > cast(date_trunc('month', month_ends.period_end) - interval '11 months' as date) - 1
),

registered as (
    select
        la_code, period_end,
        count(*) filter (where in_month) as homes_registered_in_month,
        count(*) as homes_registered_12_months,
        avg(days_to_registration) as average_days_to_registration_12_months,
        max(days_to_registration) as longest_days_to_registration_12_months
    from registrations
    group by la_code, period_end
),

waiting as (
    select
        la_code, period_end,
        count(*) as applications_waiting,
        avg(period_end - application_date) as average_days_waiting,
        max(period_end - application_date) as longest_days_waiting
    from {{ ref('fct_residential_home_months') }}
    where status_at_period_end = 'applied'
    group by la_code, period_end
)

select
    month_ends.la_code,
    month_ends.period_end,
    dim_date.financial_year,
    dim_date.financial_quarter,
    cast(coalesce(registered.homes_registered_in_month, 0) as integer) as homes_registered_in_month,
    cast(coalesce(registered.homes_registered_12_months, 0) as integer) as homes_registered_12_months,
    cast(registered.average_days_to_registration_12_months as numeric) as average_days_to_registration_12_months,
    cast(registered.longest_days_to_registration_12_months as integer) as longest_days_to_registration_12_months,
    cast(coalesce(waiting.applications_waiting, 0) as integer) as applications_waiting,
    cast(waiting.average_days_waiting as numeric) as average_days_waiting,
    cast(waiting.longest_days_waiting as integer) as longest_days_waiting
from {{ ref('int_residential_month_ends') }} as month_ends
left join registered
    on registered.la_code = month_ends.la_code
    and registered.period_end = month_ends.period_end
left join waiting
    on waiting.la_code = month_ends.la_code
    and waiting.period_end = month_ends.period_end
inner join {{ ref('dim_calendar') }} as dim_date
    on dim_date.date_day = month_ends.period_end
