-- The months each authority's recruitment tables show: the last month end on or before the
-- authority's current recruitment extract date, and the (recruitment_history_months - 1) before it.
with snapshots as (
    select
        la_code,
        extract_date,
        cast(date_trunc('month', extract_date + 1) - interval '1 month' as date) as last_period_start
    from {{ ref('stg_recruitment__current_loads') }}
    where extract = 'recruitment'
),

months as (
    select
        snapshots.la_code,
        snapshots.extract_date,
        cast(snapshots.last_period_start - make_interval(months => months_back.months_back) as date) as period_start
    from snapshots
    cross join generate_series(0, {{ var('recruitment_history_months') | int }} - 1) as months_back (months_back)
)

select
    months.la_code,
    months.extract_date,
    months.period_start,
    dim_date.month_end_date as period_end,
    dim_date.financial_year,
    dim_date.financial_quarter
from months
inner join {{ ref('dim_date') }} as dim_date
    on dim_date.date_day = months.period_start
