-- Regulation 24 temporary approvals of connected persons (kinship) per authority and month:
-- started and ended in the month, how long those that ended lasted (over 16 weeks, the
-- regulation's limit, and over 24, the limit with its extension), and those still open at the
-- month end. Duration is end date minus start date in days; the limits (112 and 168 days) are
-- the recruitment_timescales seed's.
with approvals as (
    select la_code, reg24_start_date, reg24_end_date, reg24_days
    from {{ ref('fct_recruitment_enquiries') }}
    where reg24_start_date is not null
),

counted as (
    select
        months.la_code,
        months.period_start,
        count(*) filter (where approvals.reg24_start_date between months.period_start and months.period_end)
            as started,
        count(*) filter (where approvals.reg24_end_date between months.period_start and months.period_end)
            as ended,
        count(*) filter (where approvals.reg24_end_date between months.period_start and months.period_end
                          and approvals.reg24_days
                              <= {{ recruitment_timescale('regulation_24_limit', as_length=true) }})
            as ended_within_16_weeks,
        count(*) filter (where approvals.reg24_end_date between months.period_start and months.period_end
                          and approvals.reg24_days
                              > {{ recruitment_timescale('regulation_24_limit', as_length=true) }})
            as ended_over_16_weeks,
        count(*) filter (where approvals.reg24_end_date between months.period_start and months.period_end
                          and approvals.reg24_days
                              > {{ recruitment_timescale('regulation_24_extended_limit', as_length=true) }})
            as ended_over_24_weeks,
        avg(approvals.reg24_days) filter (where approvals.reg24_end_date between months.period_start
                                           and months.period_end) as average_days_ended,
        count(*) filter (where approvals.reg24_start_date <= months.period_end
                          and (approvals.reg24_end_date is null or approvals.reg24_end_date > months.period_end))
            as open_at_period_end,
        count(*) filter (where approvals.reg24_start_date <= months.period_end
                          and (approvals.reg24_end_date is null or approvals.reg24_end_date > months.period_end)
                          and months.period_end - approvals.reg24_start_date
                              > {{ recruitment_timescale('regulation_24_limit', as_length=true) }})
            as open_over_16_weeks_at_period_end
    from {{ ref('int_recruitment_reporting_months') }} as months
    left join approvals
        on approvals.la_code = months.la_code
    group by months.la_code, months.period_start
)

select
    months.la_code,
    months.period_start,
    months.period_end,
    months.financial_year,
    months.financial_quarter,
    cast(counted.started as integer) as started,
    cast(counted.ended as integer) as ended,
    cast(counted.ended_within_16_weeks as integer) as ended_within_16_weeks,
    cast(counted.ended_over_16_weeks as integer) as ended_over_16_weeks,
    cast(counted.ended_over_24_weeks as integer) as ended_over_24_weeks,
    cast(counted.average_days_ended as numeric) as average_days_ended,
    cast(counted.open_at_period_end as integer) as open_at_period_end,
    cast(counted.open_over_16_weeks_at_period_end as integer) as open_over_16_weeks_at_period_end
from {{ ref('int_recruitment_reporting_months') }} as months
inner join counted
    on counted.la_code = months.la_code
    and counted.period_start = months.period_start
