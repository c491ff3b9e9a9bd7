{#- A UK postcode as the ONS directory keys it and as placements compare it: upper case, no
    spaces ('ne1 4st', 'NE1  4ST' and 'NE14ST' are one postcode). Blank gives NULL (not known). -#}
{% macro normalised_postcode(column) -%}
    nullif(upper(replace(trim({{ column }}), ' ', '')), '')
{%- endmacro %}
