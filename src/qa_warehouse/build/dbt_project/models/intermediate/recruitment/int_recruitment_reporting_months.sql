-- The months each authority's recruitment tables show: the last month end on or before the
-- authority's current recruitment extract date, and the (recruitment_history_months - 1) before it.
select
    snapshots.la_code,
    snapshots.extract_date,
    reporting_window.period_start,
    reporting_window.period_end,
    dim_date.financial_year,
    dim_date.financial_quarter
from {{ ref('stg_recruitment__current_loads') }} as snapshots
{{ reporting_window('snapshots.extract_date', var('recruitment_history_months') | int) }}
inner join {{ ref('dim_calendar') }} as dim_date
    on dim_date.date_day = reporting_window.period_start
where snapshots.extract = 'recruitment'
