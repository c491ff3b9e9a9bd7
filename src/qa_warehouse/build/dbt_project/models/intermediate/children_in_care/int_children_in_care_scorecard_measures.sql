-- Every children in care scorecard measure's counts in one place, per authority, period (month or
-- 903 year) and measure: the care measures' fact and the placement measures' fact, with the
-- period's start and financial year. reporting.children_in_care_scorecard and
-- int_reporting_measure_counts (so measure_values, Performance on a Page and the self-evaluation)
-- both read it. A measure whose extract the authority never delivered (child_visits, child_plans:
-- int_reporting_measures_not_delivered) has NULL counts and value_status not_delivered: the facts
-- count nobody visited, which must not be published as 0 %.
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
    case when not_delivered.measure_code is null then facts.numerator end as numerator,
    case when not_delivered.measure_code is null then facts.denominator end as denominator,
    case when not_delivered.measure_code is null then facts.not_known end as not_known,
    case when not_delivered.measure_code is null then 'published' else 'not_delivered' end as value_status
from facts
inner join {{ ref('int_children_in_care_reporting_periods') }} as periods
    on periods.la_code = facts.la_code
    and periods.period_type = facts.period_type
    and periods.period_end = facts.period_end
left join {{ ref('int_reporting_measures_not_delivered') }} as not_delivered
    on not_delivered.la_code = facts.la_code
    and not_delivered.measure_code = facts.measure_code
