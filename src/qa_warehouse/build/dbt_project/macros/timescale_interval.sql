{#- A timescale held as data (a length and a unit, 'day', 'month' or 'year') as a PostgreSQL interval, so
    that "12 months before D" follows PostgreSQL's calendar arithmetic (29 Feb less 12 months is
    28 Feb). -#}
{% macro timescale_interval(length='timescale_length', unit='timescale_unit') -%}
    case {{ unit }}
        when 'day' then make_interval(days => {{ length }})
        when 'month' then make_interval(months => {{ length }})
        when 'year' then make_interval(years => {{ length }})
    end
{%- endmacro %}
