-- Every children in care scorecard measure's counts in one place, per authority, period (month or
-- 903 year) and measure: the care measures' fact and the placement measures' fact, with the
-- period's start and financial year. reporting.children_in_care_scorecard and
-- int_reporting_measure_counts (so measure_values, Performance on a Page and the self-evaluation)
-- both read it.
{%- set measure_facts = ['fct_children_in_care_care_measures', 'fct_children_in_care_placement_measures'] %}
with facts as (
    {%- for fact in measure_facts %}
    select la_code, period_type, period_end, measure_code, numerator, denominator, not_known
    from {{ ref(fact) }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select
    facts.la_code,
    facts.period_type,
    periods.period_start,
    facts.period_end,
    periods.financial_year,
    facts.measure_code,
    facts.numerator,
    facts.denominator,
    facts.not_known
from facts
inner join {{ ref('int_children_in_care_reporting_periods') }} as periods
    on periods.la_code = facts.la_code
    and periods.period_type = facts.period_type
    and periods.period_end = facts.period_end
