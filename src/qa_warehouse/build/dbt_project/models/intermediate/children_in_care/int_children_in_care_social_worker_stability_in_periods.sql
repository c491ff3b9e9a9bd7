-- Social worker stability per authority and reporting period end D: children looked after at D by
-- the number of different social workers they had in the 12 months to D
-- (int_children_in_care_social_workers_at_period_end). Every period has a row.
with periods as (
    select la_code, period_type, period_start, period_end, financial_year
    from {{ ref('int_children_in_care_reporting_periods') }}
),

counts as (
    select
        la_code,
        period_type,
        period_end,
        count(*) as looked_after,
        count(*) filter (where social_workers_in_12_months = 1) as one_social_worker,
        count(*) filter (where social_workers_in_12_months = 2) as two_social_workers,
        count(*) filter (where social_workers_in_12_months >= 3) as three_or_more_social_workers,
        count(*) filter (where social_workers_in_12_months = 0) as no_social_worker_recorded
    from {{ ref('int_children_in_care_social_workers_at_period_end') }}
    group by la_code, period_type, period_end
)

select
    periods.la_code,
    periods.period_type,
    periods.period_start,
    periods.period_end,
    periods.financial_year,
    cast(coalesce(counts.looked_after, 0) as integer) as looked_after_at_period_end,
    cast(coalesce(counts.one_social_worker, 0) as integer) as one_social_worker,
    cast(coalesce(counts.two_social_workers, 0) as integer) as two_social_workers,
    cast(coalesce(counts.three_or_more_social_workers, 0) as integer) as three_or_more_social_workers,
    cast(coalesce(counts.no_social_worker_recorded, 0) as integer) as no_social_worker_recorded
from periods
left join counts
    on counts.la_code = periods.la_code
    and counts.period_type = periods.period_type
    and counts.period_end = periods.period_end
