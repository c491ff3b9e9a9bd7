{#- A children's home's registration status on `day`, from the dates of stg_residential__homes:
    closed from its closure date, registered from its registration date, applied (or operating
    unregistered) from its application date; NULL before the authority knew of it. A date the
    extract leaves blank falls back to the extract's status, taken to hold throughout
    (docs/residential-figures.md). -#}
{% macro residential_status_at(day, homes='homes') -%}
    case
        when coalesce({{ homes }}.closure_date,
                      case when {{ homes }}.registration_status = 'closed' then date '-infinity' end) <= {{ day }}
            then 'closed'
        when coalesce({{ homes }}.registration_date,
                      case when {{ homes }}.registration_status = 'registered' then date '-infinity' end) <= {{ day }}
            then 'registered'
        when coalesce({{ homes }}.application_date,
                      case when {{ homes }}.registration_status in ('applied', 'unregistered') then date '-infinity' end)
             <= {{ day }}
            then case when {{ homes }}.registration_status = 'unregistered' then 'unregistered' else 'applied' end
    end
{%- endmacro %}
