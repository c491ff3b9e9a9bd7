-- The children in care scorecard for BI tools: one row per authority, period (each month end, and
-- each 903 year to 31 March) and measure, with the counts, the exact percentage, target, RAG and
-- the direction of travel from the previous period of the same type. Care measures come from
-- fct_children_in_care_care_measures, placement measures from fct_children_in_care_placement_measures;
-- names, targets, thresholds and polarity from the measure_targets seed.
{#- TODO(lead): add 'fct_children_in_care_placement_measures' to this list when the
    ssda903-placements branch is merged (it has the same columns, grain and period types). -#}
{%- set measure_facts = ['fct_children_in_care_care_measures'] %}
with facts as (
    {%- for fact in measure_facts %}
    select la_code, period_type, period_end, measure_code, numerator, denominator, not_known
    from {{ ref(fact) }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

with_previous as (
    select
        facts.*,
        -- periods of a type are consecutive (month ends, or 903 years), so the previous row is the
        -- previous period
        lag(facts.numerator) over same_series as previous_numerator,
        lag(facts.denominator) over same_series as previous_denominator
    from facts
    window same_series as (partition by facts.la_code, facts.period_type, facts.measure_code order by facts.period_end)
)

select
    with_previous.la_code,
    with_previous.period_type,
    periods.period_start,
    with_previous.period_end,
    periods.financial_year,
    with_previous.measure_code,
    measures.measure_name,
    measures.display_order,
    with_previous.numerator,
    with_previous.denominator,
    with_previous.not_known,
    {{ percentage('with_previous.numerator', 'with_previous.denominator') }} as percentage,
    measures.target,
    {{ rag('with_previous.numerator', 'with_previous.denominator', 'measures.green_from', 'measures.amber_from',
           'measures.polarity') }} as rag,
    measures.polarity,
    {{ percentage('with_previous.previous_numerator', 'with_previous.previous_denominator') }} as previous_percentage,
    {{ direction_of_travel('with_previous.numerator', 'with_previous.denominator', 'with_previous.previous_numerator',
                           'with_previous.previous_denominator', 'measures.polarity') }} as direction_of_travel
from with_previous
inner join {{ ref('int_children_in_care_reporting_periods') }} as periods
    on periods.la_code = with_previous.la_code
    and periods.period_type = with_previous.period_type
    and periods.period_end = with_previous.period_end
inner join {{ ref('measure_targets') }} as measures
    on measures.measure_code = with_previous.measure_code
