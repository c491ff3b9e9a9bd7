-- The month ends each authority's scorecard is evaluated at: the last month end on or before the
-- authority's current carer_households extract date, and the (scorecard_history_months - 1)
-- month ends before it.
with household_snapshots as (
    select
        la_code,
        extract_date,
        -- the last month end on or before the extract date (the extract date itself when it is one)
        cast(date_trunc('month', extract_date + 1) as date) - 1 as last_period_end
    from {{ ref('stg_fostering__current_loads') }}
    where extract = 'carer_households'
)

select
    household_snapshots.la_code,
    cast(
        cast(date_trunc('month', household_snapshots.last_period_end) as date)
        + make_interval(months => 1 - months_back.months_back)
        as date
    ) - 1 as period_end,
    household_snapshots.extract_date
from household_snapshots
cross join generate_series(0, {{ var('scorecard_history_months') | int }} - 1) as months_back (months_back)
