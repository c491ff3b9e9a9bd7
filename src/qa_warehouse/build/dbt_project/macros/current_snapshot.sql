{#- Each authority's current snapshot of an extract: raw keeps every accepted delivery (a history
    of full snapshots), and staging reads only the load raw.current_loads names for the extract
    and authority, without the rows the data-quality policy holds back (raw.held_rows).
    The body of a staging model's current_snapshot CTE. -#}
{% macro current_snapshot(source_name, table_name, extract=none) -%}
    select *
    from {{ source(source_name, table_name) }}
    where _load_id in (
        select load_id from {{ source('raw', 'current_loads') }}
        where extract = '{{ extract or table_name }}'
    )
    and not exists (
        select 1 from {{ source('raw', 'held_rows') }} as held
        where held.load_id = _load_id and held.source_row = _source_row
    )
{%- endmacro %}
