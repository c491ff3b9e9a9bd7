-- The fostering monthly scorecard for BI tools: one row per authority, team (NULL = the whole
-- authority), month end and measure. Built in reporting_build; the publish step moves it to
-- reporting after the whole build has passed.
select
    la_code,
    team,
    period_end,
    financial_year,
    financial_quarter,
    measure_code,
    measure_name,
    display_order,
    in_time,
    out_of_time,
    not_yet_due,
    percentage,
    target,
    rag,
    previous_percentage,
    direction_of_travel
from {{ ref('fct_fostering_kpi') }}
