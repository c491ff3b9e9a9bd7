{#- Custom schemas are used verbatim (staging, intermediate, marts, seeds, reporting_build), not
    prefixed with the target schema: the publish step and analysts' grants name them directly. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
