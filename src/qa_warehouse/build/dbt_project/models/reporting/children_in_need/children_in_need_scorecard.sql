-- The children in need and child protection scorecard for BI tools: the children_in_need rows of
-- reporting.measure_values (so this table, Performance on a Page, the self-evaluation export and
-- the quarterly tables show one figure), one row per authority, period (month end, financial
-- quarter, census year) and measure, with the polarity beside the RAG. Counts from
-- fct_children_in_need_measures; names, targets, thresholds and polarity from seed measure_targets.
select
    measure_values.la_code,
    measure_values.period_kind as period_type,
    measure_values.period_start,
    measure_values.period_end,
    measure_values.financial_year,
    measure_values.measure_code,
    measure_values.measure_name,
    measure_values.display_order,
    measure_values.unit,
    -- counts of children and events: whole numbers (measure_values is numeric for FTE measures)
    cast(measure_values.numerator as integer) as numerator,
    cast(measure_values.denominator as integer) as denominator,
    measure_values.value_status,
    case when measure_values.unit = 'percentage' then measure_values.value end as percentage,
    measure_values.value,
    measure_values.target,
    measure_values.rag,
    measures.polarity,
    measure_values.previous_value,
    measure_values.same_period_last_year_value,
    measure_values.direction_of_travel
from {{ ref('measure_values') }} as measure_values
inner join {{ ref('measure_targets') }} as measures
    on measures.measure_code = measure_values.measure_code
where measure_values.section = 'children_in_need'
    and measure_values.breakdown = 'All'
