{#- Each authority's current snapshot of an extract: raw keeps every accepted delivery (a history
    of full snapshots), and staging reads only the load raw.current_loads names for the extract
    and authority. The body of a staging model's current_snapshot CTE. -#}
{% macro current_snapshot(source_name, table_name, extract=none) -%}
    select *
    from {{ source(source_name, table_name) }}
    where _load_id in (
        select load_id from {{ source('raw', 'current_loads') }}
        where extract = '{{ extract or table_name }}'
    )
{%- endmacro %}
