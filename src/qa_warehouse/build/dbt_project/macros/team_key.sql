{#- The conformed team key: team names are unique only within an authority. -#}
{% macro team_key(la_code='la_code', team='team') -%}
    md5({{ la_code }} || '|' || {{ team }})
{%- endmacro %}
