{#- One section of the quarterly QA report: the section's rows of measure_values for financial
    quarters, the comparisons named for a quarter. Every section table has the same columns, so
    the report (and its public variant) treats them alike. -#}
{% macro quarterly_report_section(section) -%}
select
    la_code,
    period_start,
    period_end,
    financial_year,
    financial_quarter,
    measure_code,
    measure_name,
    display_order,
    unit,
    breakdown_by,
    breakdown,
    numerator,
    denominator,
    value,
    target,
    rag,
    previous_value as previous_quarter_value,
    same_period_last_year_value as same_quarter_last_year_value,
    direction_of_travel,
    held_back
from {{ ref('measure_values') }}
where section = '{{ section }}'
    and period_kind = 'quarter'
{%- endmacro %}
