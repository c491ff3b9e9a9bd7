-- The month ends each authority's residential figures are evaluated at: the last month end on or
-- before its current childrens_homes extract date and the (residential_history_months - 1)
-- before it, with each month's first day (a home open all month is open on both).
with snapshots as (
    select
        la_code,
        extract_date,
        cast(date_trunc('month', extract_date + 1) as date) - 1 as last_month_end
    from {{ ref('stg_residential__current_loads') }}
    where extract = 'childrens_homes'
),

month_ends as (
    select
        snapshots.la_code,
        snapshots.extract_date,
        months_back.months_back,
        cast(date_trunc('month', snapshots.last_month_end) - make_interval(months => months_back.months_back)
             + interval '1 month' as date) - 1 as period_end
    from snapshots
    cross join generate_series(0, {{ var('residential_history_months') | int }} - 1) as months_back (months_back)
)

select
    la_code,
    extract_date,
    months_back,
    period_end,
    cast(date_trunc('month', period_end) as date) as month_start,
    months_back = 0 as is_latest
from month_ends
