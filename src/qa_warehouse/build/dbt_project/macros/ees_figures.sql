{#- One benchmark file's figures in long form: a row per geography, year, breakdown and indicator.
    The breakdown is the row's filter values joined with ' / ' ('All' for a file without filters),
    as seed benchmark_indicators names it. DfE's symbols (c suppressed, k/low rounds to zero, u low
    reliability, x not available, z not applicable, : and ~ in older releases) give no figure: the
    symbol is kept beside it. -#}
{% macro ees_figures(extract, breakdown_columns, indicator_columns) -%}
    select
        '{{ extract }}' as extract,
        published.time_period,
        published.geographic_level,
        published.region_code,
        published.la_code,
        {% if breakdown_columns -%}
            concat_ws(' / ', {{ breakdown_columns | join(', ') }})
        {%- else -%}
            'All'
        {%- endif %} as breakdown,
        figure.indicator,
        case when figure.published ~ '^-?[0-9]*[.]?[0-9]+$' then cast(figure.published as numeric) end
            as published_value,
        case when figure.published !~ '^-?[0-9]*[.]?[0-9]+$' then lower(figure.published) end as published_symbol
    from {{ ref('stg_benchmarks__' ~ extract) }} as published
    cross join lateral (
        values
        {%- for column in indicator_columns %}
            ('{{ column }}', published.{{ column }}){{ "," if not loop.last }}
        {%- endfor %}
    ) as figure (indicator, published)
{%- endmacro %}
