{#- The reporting window: the last `periods` complete months (or financial quarters) up to an
    extract date E. The latest is the month (quarter) of the last month (quarter) end on or before
    E, which is E itself when E is one. A lateral join adding one row per period with
    periods_back (0 = the latest), period_start and period_end; quarters are calendar quarters,
    which financial quarters are (Q1 April-June ... Q4 January-March). -#}
{% macro reporting_window(extract_date, periods, period='month') -%}
    {%- set months = {'month': 1, 'quarter': 3}[period] -%}
    cross join lateral (
        select
            periods_back,
            cast(
                date_trunc('{{ period }}', {{ extract_date }} + 1)
                - make_interval(months => {{ months }} * (periods_back + 1)) as date
            ) as period_start,
            cast(
                date_trunc('{{ period }}', {{ extract_date }} + 1)
                - make_interval(months => {{ months }} * periods_back) as date
            ) - 1 as period_end
        from generate_series(0, ({{ periods }}) - 1) as periods_back
    ) as reporting_window
{%- endmacro %}
