-- The conformed calendar: one row per day, with month ends and the UK financial year
-- (1 April to 31 March) and its quarters.
with days as (
    select cast(day as date) as date_day
    from generate_series(date '2010-01-01', date '2040-12-31', interval '1 day') as days (day)
),

calendar as (
    select
        date_day,
        cast(date_trunc('month', date_day) as date) as month_start_date,
        cast(extract(year from date_day) as integer) as calendar_year,
        cast(extract(month from date_day) as integer) as calendar_month,
        -- the financial year starts on 1 April: January to March belong to the year before
        cast(extract(year from date_day) as integer) - case when extract(month from date_day) < 4 then 1 else 0 end
            as financial_year_start_year
    from days
)

select
    date_day,
    cast(month_start_date + interval '1 month' as date) - 1 as month_end_date,
    date_day = cast(month_start_date + interval '1 month' as date) - 1 as is_month_end,
    calendar_year,
    calendar_month,
    financial_year_start_year || '/' || lpad(cast((financial_year_start_year + 1) % 100 as text), 2, '0')
        as financial_year,
    make_date(financial_year_start_year, 4, 1) as financial_year_start,
    -- April-June is Q1 ... January-March is Q4
    'Q' || (((calendar_month + 8) % 12) / 3 + 1) as financial_quarter,
    month_start_date - 1 as previous_month_end_date
from calendar
