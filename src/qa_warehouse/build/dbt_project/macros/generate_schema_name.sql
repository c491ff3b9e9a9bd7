{#- Custom schemas are used verbatim (staging, intermediate, marts, seeds, reporting_build), not
    prefixed with the target schema: the publish step and analysts' grants name them directly. -#}
{#- `qa-warehouse docs` sets docs_published_schemas: each `_build` schema resolves to the schema the
    publish step moves its tables to, so dbt's catalog reads the published tables' columns. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- elif var('docs_published_schemas', false) and (custom_schema_name | trim).endswith('_build') -%}
        {{ (custom_schema_name | trim)[:-6] }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
