{#- A stable pseudonymous key for a source identifier: md5(salt | la_code | id). Ids are unique
    only within an authority, hence the la_code. Blank ids give NULL, not the hash of ''. The
    salt is a setting (QA_WAREHOUSE_PSEUDONYM_SALT); the default suits development only. -#}
{% macro pseudonymise(column, la_code='la_code') -%}
    md5({{ pseudonym_salt_literal() }} || '|' || trim({{ la_code }}) || '|' || nullif(trim({{ column }}), ''))
{%- endmacro %}

{% macro pseudonym_salt_literal() -%}
    '{{ env_var("QA_WAREHOUSE_PSEUDONYM_SALT", "qa-warehouse-development-salt") | replace("'", "''") }}'
{%- endmacro %}
