-- The month ends each authority's workforce figures are evaluated at: the last month end on or
-- before its current workforce extract date and the (workforce_history_months - 1) before it,
-- shown; plus the 11 month ends before those, which only feed the 12-month average FTE behind
-- the turnover rate of the first months shown.
with snapshots as (
    select
        la_code,
        extract_date,
        -- the last month end on or before the extract date
        cast(date_trunc('month', extract_date + 1) as date) - 1 as last_month_end
    from {{ ref('stg_workforce__current_loads') }}
    where extract = 'workforce'
)

select
    snapshots.la_code,
    snapshots.extract_date,
    months_back.months_back,
    cast(date_trunc('month', snapshots.last_month_end) - make_interval(months => months_back.months_back)
         + interval '1 month' as date) - 1 as period_end,
    months_back.months_back < {{ var('workforce_history_months') | int }} as is_shown,
    months_back.months_back = 0 as is_latest
from snapshots
cross join generate_series(0, {{ var('workforce_history_months') | int }} + 10) as months_back (months_back)
