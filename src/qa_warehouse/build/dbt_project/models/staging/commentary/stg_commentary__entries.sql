-- The authority's commentary as at its current commentary delivery, one row per period and measure
-- or section, the period read into its kind and dates (the gate has checked its spelling:
-- "2024/25 Q3" is a financial quarter, "2024/25" a financial year).
with current_snapshot as (
    {{ current_snapshot('raw_commentary', 'commentary') }}
),

read_periods as (
    select
        trim(la_code) as la_code,
        upper(regexp_replace(trim(period), '\s+', ' ', 'g')) as period,
        cast(left(trim(period), 4) as integer) as financial_year_start_year,
        cast(substring(trim(period) from '[Qq]([1-4])$') as integer) as financial_quarter_number,
        {{ normalise_code('measure_code') }} as measure_code,
        {{ normalise_code('section') }} as report_section,
        trim(narrative) as narrative,
        nullif(trim(action), '') as action,
        nullif(trim(owner), '') as owner,
        nullif(trim(author), '') as author
    from current_snapshot
),

dated as (
    select
        *,
        case when financial_quarter_number is null then 'financial_year' else 'quarter' end as period_kind,
        cast(
            make_date(financial_year_start_year, 4, 1)
            + make_interval(months => 3 * coalesce(financial_quarter_number - 1, 0)) as date
        ) as period_start
    from read_periods
)

select
    la_code,
    period,
    period_kind,
    period_start,
    cast(
        period_start
        + case when period_kind = 'quarter' then interval '3 months' else interval '1 year' end
        - interval '1 day' as date
    ) as period_end,
    measure_code,
    report_section,
    narrative,
    action,
    owner,
    author
from dated
