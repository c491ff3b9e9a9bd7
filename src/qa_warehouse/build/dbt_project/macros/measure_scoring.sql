{#- RAG and direction of travel for a measure, from its seeded thresholds and polarity
    (measure_targets). Both compare exact fractions (100 x numerator against threshold x
    denominator; cross-multiplied shares), so a boundary is never missed by a rounded division. -#}

{% macro rag(numerator, denominator, green_from, amber_from, polarity) -%}
    case
        when ({{ denominator }}) is null or ({{ denominator }}) = 0 or ({{ green_from }}) is null then null
        when ({{ polarity }}) = 'higher_is_better' then
            case
                when 100 * ({{ numerator }}) >= ({{ green_from }}) * ({{ denominator }}) then 'green'
                when 100 * ({{ numerator }}) >= ({{ amber_from }}) * ({{ denominator }}) then 'amber'
                else 'red'
            end
        when ({{ polarity }}) = 'lower_is_better' then
            case
                when 100 * ({{ numerator }}) <= ({{ green_from }}) * ({{ denominator }}) then 'green'
                when 100 * ({{ numerator }}) <= ({{ amber_from }}) * ({{ denominator }}) then 'amber'
                else 'red'
            end
    end
{%- endmacro %}

{#- improving / declining / no_change against the previous figure, by polarity; up / down /
    no_change for a measure with no polarity. A count (denominator NULL) compares the counts.
    NULL when either share is undefined. -#}
{% macro direction_of_travel(numerator, denominator, previous_numerator, previous_denominator, polarity) -%}
    case
        when ({{ previous_numerator }}) is null then null
        when ({{ denominator }}) is not null and not (({{ denominator }}) > 0 and ({{ previous_denominator }}) > 0)
            then null
        else
            case sign(
                case when ({{ denominator }}) is null
                    then ({{ numerator }})::numeric - ({{ previous_numerator }})
                    else ({{ numerator }})::numeric * ({{ previous_denominator }})
                        - ({{ previous_numerator }})::numeric * ({{ denominator }})
                end)
                when 0 then 'no_change'
                when 1 then
                    case ({{ polarity }}) when 'higher_is_better' then 'improving'
                        when 'lower_is_better' then 'declining' else 'up' end
                else
                    case ({{ polarity }}) when 'higher_is_better' then 'declining'
                        when 'lower_is_better' then 'improving' else 'down' end
            end
    end
{%- endmacro %}

{#- A measure's value: its exact percentage, or the count itself. -#}
{% macro measure_value(numerator, denominator, unit) -%}
    case when ({{ unit }}) = 'count' then cast({{ numerator }} as numeric)
        else {{ percentage(numerator, denominator) }} end
{%- endmacro %}
