{#- RAG and direction of travel for a measure, from its seeded thresholds and polarity
    (measure_targets). Both compare exact fractions (100 x numerator against threshold x
    denominator for a percentage, the numerator itself for an average; cross-multiplied shares),
    so a boundary is never missed by a rounded division. -#}

{% macro rag(numerator, denominator, green_from, amber_from, polarity, unit="'percentage'") -%}
    {%- set scaled = "(case when (" ~ unit ~ ") = 'average' then 1 else 100 end) * (" ~ numerator ~ ")" -%}
    case
        when ({{ denominator }}) is null or ({{ denominator }}) = 0 or ({{ green_from }}) is null then null
        when ({{ polarity }}) = 'higher_is_better' then
            case
                when {{ scaled }} >= ({{ green_from }}) * ({{ denominator }}) then 'green'
                when {{ scaled }} >= ({{ amber_from }}) * ({{ denominator }}) then 'amber'
                else 'red'
            end
        when ({{ polarity }}) = 'lower_is_better' then
            case
                when {{ scaled }} <= ({{ green_from }}) * ({{ denominator }}) then 'green'
                when {{ scaled }} <= ({{ amber_from }}) * ({{ denominator }}) then 'amber'
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

{#- A measure's value: its exact percentage, the count itself, or the average (numerator per
    denominator, NULL when the denominator is 0). -#}
{% macro measure_value(numerator, denominator, unit) -%}
    case when ({{ unit }}) = 'count' then cast({{ numerator }} as numeric)
        when ({{ unit }}) = 'average' then
            case when ({{ denominator }}) > 0 then cast({{ numerator }} as numeric) / ({{ denominator }}) end
        -- a rate per 10,000 children: the denominator is ONS's 0-17 population (docs/benchmarks.md)
        when ({{ unit }}) = 'rate_per_10000' then
            case when ({{ denominator }}) > 0 then 10000.0 * ({{ numerator }}) / ({{ denominator }}) end
        else {{ percentage(numerator, denominator) }} end
{%- endmacro %}
