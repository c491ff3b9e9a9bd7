-- Known days of the UK financial calendar: the year turns on 1 April, Q1 is April-June.
with expected (date_day, month_end_date, is_month_end, financial_year, financial_year_start, financial_quarter, previous_month_end_date) as (
    values
        (date '2024-03-31', date '2024-03-31', true, '2023/24', date '2023-04-01', 'Q4', date '2024-02-29'),
        (date '2024-04-01', date '2024-04-30', false, '2024/25', date '2024-04-01', 'Q1', date '2024-03-31'),
        (date '2024-06-30', date '2024-06-30', true, '2024/25', date '2024-04-01', 'Q1', date '2024-05-31'),
        (date '2024-07-01', date '2024-07-31', false, '2024/25', date '2024-04-01', 'Q2', date '2024-06-30'),
        (date '2024-12-15', date '2024-12-31', false, '2024/25', date '2024-04-01', 'Q3', date '2024-11-30'),
        (date '2025-01-01', date '2025-01-31', false, '2024/25', date '2024-04-01', 'Q4', date '2024-12-31'),
        (date '2040-12-31', date '2040-12-31', true, '2040/41', date '2040-04-01', 'Q3', date '2040-11-30')
)

select expected.*
from expected
left join {{ ref('dim_calendar') }} as dates
    on dates.date_day = expected.date_day
-- every day from 2010-01-01 to 2040-12-31 is there, and the checks on the known days hold
where (select count(*) from {{ ref('dim_calendar') }}) <> date '2041-01-01' - date '2010-01-01'
    or (
        dates.date_day is null
        or dates.month_end_date <> expected.month_end_date
        or dates.is_month_end <> expected.is_month_end
        or dates.financial_year <> expected.financial_year
        or dates.financial_year_start <> expected.financial_year_start
        or dates.financial_quarter <> expected.financial_quarter
        or dates.previous_month_end_date <> expected.previous_month_end_date
    )
