-- The conformed calendar: one row per day, with month ends, the UK financial year (1 April to
-- 31 March: also the SSDA903 year and the CIN census year) and its quarters, and England's working
-- days. reporting.dim_date publishes the warehouse's span of it.
with days as (
    select cast(day as date) as date_day
    from generate_series(date '2010-01-01', date '2040-12-31', interval '1 day') as days (day)
),

-- The bank holidays seed covers whole calendar years: outside them a day's working status is not
-- known, so the working-day columns are NULL there rather than counting a holiday as worked.
holiday_years as (
    select
        cast(min(extract(year from holiday_date)) as integer) as first_year,
        cast(max(extract(year from holiday_date)) as integer) as last_year
    from {{ ref('bank_holidays_england') }}
),

calendar as (
    select
        days.date_day,
        cast(date_trunc('month', days.date_day) as date) as month_start_date,
        cast(extract(year from days.date_day) as integer) as calendar_year,
        cast(extract(month from days.date_day) as integer) as calendar_month,
        -- the financial year starts on 1 April: January to March belong to the year before
        cast(extract(year from days.date_day) as integer)
        - case when extract(month from days.date_day) < 4 then 1 else 0 end
            as financial_year_start_year,
        extract(isodow from days.date_day) >= 6 as is_weekend,
        case
            when extract(year from days.date_day) between holiday_years.first_year and holiday_years.last_year
                then days.date_day in (select holidays.holiday_date from {{ ref('bank_holidays_england') }} as holidays)
        end as is_bank_holiday
    from days
    cross join holiday_years
),

quarters as (
    select
        *,
        -- April-June is Q1 ... January-March is Q4
        ((calendar_month + 8) % 12) / 3 + 1 as financial_quarter_number,
        case
            when is_bank_holiday is not null then not is_weekend and not is_bank_holiday
        end as is_working_day
    from calendar
),

dated as (
    select
        *,
        cast(
            make_date(financial_year_start_year, 4, 1) + (financial_quarter_number - 1) * interval '3 months'
            as date
        ) as financial_quarter_start_date
    from quarters
)

select
    date_day,
    month_start_date,
    cast(month_start_date + interval '1 month' as date) - 1 as month_end_date,
    date_day = cast(month_start_date + interval '1 month' as date) - 1 as is_month_end,
    calendar_year,
    calendar_month,
    to_char(date_day, 'FMMonth') as calendar_month_name,
    financial_year_start_year || '/' || lpad(cast((financial_year_start_year + 1) % 100 as text), 2, '0')
        as financial_year,
    make_date(financial_year_start_year, 4, 1) as financial_year_start,
    make_date(financial_year_start_year + 1, 3, 31) as financial_year_end,
    date_day = make_date(financial_year_start_year + 1, 3, 31) as is_financial_year_end,
    'Q' || financial_quarter_number as financial_quarter,
    financial_quarter_start_date,
    cast(financial_quarter_start_date + interval '3 months' as date) - 1 as financial_quarter_end_date,
    date_day = cast(financial_quarter_start_date + interval '3 months' as date) - 1 as is_financial_quarter_end,
    month_start_date - 1 as previous_month_end_date,
    cast(extract(isodow from date_day) as integer) as iso_day_of_week,
    to_char(date_day, 'FMDay') as day_name,
    is_weekend,
    is_bank_holiday,
    is_working_day,
    -- the how-many-th working day of its month the day is (on a non-working day: the working days
    -- so far), so "the 3rd working day" of a month is the working day numbered 3
    case
        when is_working_day is not null
            then
                cast(count(*) filter (where is_working_day) over (
                    partition by month_start_date order by date_day
                ) as integer)
    end as working_day_of_month,
    case
        when is_working_day is not null
            then cast(count(*) filter (where is_working_day) over (partition by month_start_date) as integer)
    end as working_days_in_month
from dated
