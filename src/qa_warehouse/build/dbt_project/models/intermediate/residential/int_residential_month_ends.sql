-- The month ends each authority's residential figures are evaluated at: the last month end on or
-- before its current childrens_homes extract date and the (residential_history_months - 1)
-- before it, with each month's first day (a home open all month is open on both).
select
    snapshots.la_code,
    snapshots.extract_date,
    reporting_window.periods_back as months_back,
    reporting_window.period_end,
    reporting_window.period_start as month_start,
    reporting_window.periods_back = 0 as is_latest
from {{ ref('stg_residential__current_loads') }} as snapshots
{{ reporting_window('snapshots.extract_date', var('residential_history_months') | int) }}
where snapshots.extract = 'childrens_homes'
