{#- SEX as DfE has coded it since 2024/25 (M, F, U), whichever year's coding the return uses:
    1 and 2 (to 2023/24) read as M and F, so one child reads alike across a change of year. -#}
{% macro ssda903_sex(column) -%}
    case {{ normalise_code(column, upper=true) }}
        when '1' then 'M'
        when '2' then 'F'
        else {{ normalise_code(column, upper=true) }}
    end
{%- endmacro %}
