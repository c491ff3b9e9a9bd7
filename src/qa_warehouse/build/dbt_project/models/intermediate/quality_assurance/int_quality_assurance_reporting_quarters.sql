-- The financial quarters each authority's quality assurance tables show, per extract: the last
-- complete quarter ending on or before the authority's current extract date of that extract, and
-- the (qa_history_quarters - 1) quarters before it. Financial quarters are calendar quarters
-- (Q1 April-June ... Q4 January-March).
select
    snapshots.extract,
    snapshots.la_code,
    snapshots.extract_date,
    reporting_window.period_start,
    reporting_window.period_end,
    dim_date.financial_year,
    dim_date.financial_quarter
from {{ ref('stg_quality_assurance__current_loads') }} as snapshots
{{ reporting_window('snapshots.extract_date', var('qa_history_quarters') | int, period='quarter') }}
inner join {{ ref('dim_calendar') }} as dim_date
    on dim_date.date_day = reporting_window.period_start
