{#- Codes arrive as typed in the source system: 'On Hold', ' KIT-call ', 'on_hold' are one code.
    Trim, and turn spaces and hyphens into underscores, as the contract writes codes; lower-case
    by default, upper-case for DfE codes (upper=true), as DfE writes them ('e4a' is E4A). -#}
{% macro normalise_code(column, upper=false) -%}
    nullif(translate({{ 'upper' if upper else 'lower' }}(trim({{ column }})), ' -', '__'), '')
{%- endmacro %}
