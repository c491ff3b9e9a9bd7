-- The published calendar (docs/bi.md): the days of dim_calendar from 1 April of the financial year
-- of the earliest period any published table shows to 31 March of the financial year after the
-- latest one, so a BI date table covers every period_start and period_end and the year ahead.
{%- set period_tables = {
    'measure_values': 'period_start',
    'fostering_kpi_scorecard': 'period_end',
    'fostering_carer_register': 'period_start',
    'children_in_care_scorecard': 'period_start',
    'children_in_care_placement_types': 'period_start',
    'children_in_need_scorecard': 'period_start',
    'qa_audit_actions': 'period_start',
    'qa_feedback_officer_minimum': 'period_start',
    'recruitment_funnel': 'period_start',
    'recruitment_conversion': 'period_start',
    'regulation_24': 'period_start',
    'residential_homes_monthly': 'period_end',
    'regulation_44_visits': 'period_end',
    'residential_registration_timeliness': 'period_end',
    'workforce_monthly': 'period_end',
} %}
with periods as (
    {%- for table, first_column in period_tables.items() %}
        select
            min({{ first_column }}) as first_day,
            max(period_end) as last_day
        from {{ ref(table) }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

span as (
    select
        first_calendar.financial_year_start as first_day,
        -- the financial year after the latest one shown
        cast(last_calendar.financial_year_end + interval '1 year' as date) as last_day
    from (select
        -- a warehouse with nothing published yet: the current financial year
        coalesce(min(first_day), current_date) as first_day,
        coalesce(max(last_day), current_date) as last_day
    from periods) as bounds
    inner join {{ ref('dim_calendar') }} as first_calendar on bounds.first_day = first_calendar.date_day
    inner join {{ ref('dim_calendar') }} as last_calendar on bounds.last_day = last_calendar.date_day
)

select
    calendar.date_day,
    calendar.iso_day_of_week,
    calendar.day_name,
    calendar.calendar_year,
    calendar.calendar_month,
    calendar.calendar_month_name,
    calendar.month_start_date,
    calendar.month_end_date,
    calendar.is_month_end,
    calendar.previous_month_end_date,
    calendar.financial_year,
    calendar.financial_year_start,
    calendar.financial_year_end,
    calendar.is_financial_year_end,
    calendar.financial_quarter,
    calendar.financial_quarter_start_date,
    calendar.financial_quarter_end_date,
    calendar.is_financial_quarter_end,
    calendar.is_weekend,
    calendar.is_bank_holiday,
    calendar.is_working_day,
    calendar.working_day_of_month,
    calendar.working_days_in_month
from {{ ref('dim_calendar') }} as calendar
inner join span on calendar.date_day between span.first_day and span.last_day
