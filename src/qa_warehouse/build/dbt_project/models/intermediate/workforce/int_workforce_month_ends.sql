-- The month ends each authority's workforce figures are evaluated at: the last month end on or
-- before its current workforce extract date and the (workforce_history_months - 1) before it,
-- shown; plus the 11 month ends before those, which only feed the 12-month average FTE behind
-- the turnover rate of the first months shown.
select
    snapshots.la_code,
    snapshots.extract_date,
    reporting_window.periods_back as months_back,
    reporting_window.period_end,
    reporting_window.periods_back < {{ var('workforce_history_months') | int }} as is_shown,
    reporting_window.periods_back = 0 as is_latest
from {{ ref('stg_workforce__current_loads') }} as snapshots
{{ reporting_window('snapshots.extract_date', (var('workforce_history_months') | int) + 11) }}
where snapshots.extract = 'workforce'
