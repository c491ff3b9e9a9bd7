{#- A measure's percentage: exact (round for display only), 0-100, NULL when nothing is counted
    in the denominator, as every published table documents it. -#}
{% macro percentage(numerator, denominator) -%}
    case when ({{ denominator }}) > 0 then 100.0 * ({{ numerator }}) / ({{ denominator }}) end
{%- endmacro %}
