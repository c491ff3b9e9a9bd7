{#- The date of the Nth working day after a date (the date itself not counted): working days are
    days that are not Saturday, Sunday or an England bank holiday (seed bank_holidays_england). A
    timescale of N working days from a start is met by an event on or before this date. A scalar
    subquery; the search runs 2N + 30 calendar days ahead, more than any run of weekends and
    holidays needs. -#}
{% macro nth_working_day_after(start_date, working_days) -%}
    (select working_days.day
     from (
         select
             cast(days.day as date) as day,
             row_number() over (order by days.day) as working_day_number
         from generate_series(
             cast({{ start_date }} as date) + 1,
             cast({{ start_date }} as date) + 2 * ({{ working_days }}) + 30,
             interval '1 day'
         ) as days (day)
         where extract(isodow from days.day) < 6
             and cast(days.day as date) not in (select holiday_date from {{ ref('bank_holidays_england') }})
     ) as working_days
     where working_days.working_day_number = ({{ working_days }}))
{%- endmacro %}
