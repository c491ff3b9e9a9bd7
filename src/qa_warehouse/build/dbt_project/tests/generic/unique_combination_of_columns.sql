{#- Fails for every combination of the columns that occurs more than once. GROUP BY treats NULLs
    as equal, so a NULL (e.g. the authority-wide row's team) counts as a value. -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
    {%- set columns = combination_of_columns | join(', ') %}
    select {{ columns }}, count(*) as occurrences
    from {{ model }}
    group by {{ columns }}
    having count(*) > 1
{% endtest %}
