{#- Codes arrive as typed in the source system: 'On Hold', ' KIT-call ', 'on_hold' are one code.
    Lower-case, trim, and turn spaces and hyphens into underscores, as the contract writes codes. -#}
{% macro normalise_code(column) -%}
    nullif(translate(lower(trim({{ column }})), ' -', '__'), '')
{%- endmacro %}
