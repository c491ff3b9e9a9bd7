-- The month ends each authority's scorecard is evaluated at: the last month end on or before the
-- authority's current carer_households extract date, and the (scorecard_history_months - 1)
-- month ends before it.
select
    household_snapshots.la_code,
    reporting_window.period_end,
    household_snapshots.extract_date
from {{ ref('stg_fostering__current_loads') }} as household_snapshots
{{ reporting_window('household_snapshots.extract_date', var('scorecard_history_months') | int) }}
where household_snapshots.extract = 'carer_households'
