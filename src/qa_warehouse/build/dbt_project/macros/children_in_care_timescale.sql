{#- One children-in-care timescale from the children_in_care_care_timescales seed, by name, as a
    scalar subquery: an interval, or (as_length=true) the bare length (working days, days). -#}
{% macro children_in_care_timescale(name, as_length=false) -%}
    (select {% if as_length %}timescale_length{% else %}{{ timescale_interval() }}{% endif %}
     from {{ ref('children_in_care_care_timescales') }} where timescale_name = '{{ name }}')
{%- endmacro %}
