{#- One timescale from a timescales seed (timescale_name, timescale_length, timescale_unit), by name,
    as a scalar subquery: an interval, or (as_length=true) the bare length (working days, days). -#}
{% macro seeded_timescale(seed, name, as_length=false) -%}
    (select {% if as_length %}timescale_length{% else %}{{ timescale_interval() }}{% endif %}
     from {{ ref(seed) }} where timescale_name = '{{ name }}')
{%- endmacro %}

{#- One children-in-care timescale from the children_in_care_care_timescales seed. -#}
{% macro children_in_care_timescale(name, as_length=false) -%}
    {{ seeded_timescale('children_in_care_care_timescales', name, as_length) }}
{%- endmacro %}

{#- One recruitment timescale (NMS 14, regulation 24) from the recruitment_timescales seed. -#}
{% macro recruitment_timescale(name, as_length=false) -%}
    {{ seeded_timescale('recruitment_timescales', name, as_length) }}
{%- endmacro %}

{#- One children in need timescale from the children_in_need_timescales seed. -#}
{% macro children_in_need_timescale(name, as_length=false) -%}
    {{ seeded_timescale('children_in_need_timescales', name, as_length) }}
{%- endmacro %}
