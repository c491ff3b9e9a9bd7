-- Referrals in each reporting period by who referred (ReferralSource; not_recorded where blank),
-- with all referrals in the period and the share. Rows only for sources with referrals.
with periods as (
    select * from {{ ref('int_children_in_need_reporting_periods') }}
),

counted as (
    select
        periods.la_code, periods.period_type, periods.period_start, periods.period_end, periods.financial_year,
        coalesce(referrals.referral_source, 'not_recorded') as referral_source,
        count(*) as referrals
    from periods
    inner join {{ ref('int_children_in_need_referrals') }} as referrals
        on referrals.la_code = periods.la_code
        and referrals.referral_date between periods.period_start and periods.period_end
    group by 1, 2, 3, 4, 5, 6
)

select
    counted.la_code,
    counted.period_type,
    counted.period_start,
    counted.period_end,
    counted.financial_year,
    counted.referral_source,
    cast(counted.referrals as integer) as referrals,
    cast(sum(counted.referrals) over in_period as integer) as all_referrals,
    {{ percentage('counted.referrals', 'sum(counted.referrals) over in_period') }} as percentage
from counted
window in_period as (partition by counted.la_code, counted.period_type, counted.period_end)
