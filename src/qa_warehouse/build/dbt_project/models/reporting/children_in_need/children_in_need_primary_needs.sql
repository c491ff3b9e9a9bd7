-- Children in need by primary need (PrimaryNeedCode N0-N9; not_recorded where blank): referrals
-- (episodes) starting in each reporting period, and children in need at the period end by the need
-- of their latest open episode. Rows only for needs with either.
with periods as (
    select * from {{ ref('int_children_in_need_reporting_periods') }}
),

referrals as (
    select * from {{ ref('int_children_in_need_referrals') }}
),

starting as (
    select
        periods.la_code, periods.period_type, periods.period_end,
        coalesce(referrals.primary_need_code, 'not_recorded') as primary_need_code,
        count(*) as referrals
    from periods
    inner join referrals
        on referrals.la_code = periods.la_code
        and referrals.referral_date between periods.period_start and periods.period_end
    group by 1, 2, 3, 4
),

-- each child's latest episode open at the period end
open_at_end as (
    select
        periods.la_code,
        periods.period_type,
        periods.period_end,
        coalesce(referrals.primary_need_code, 'not_recorded') as primary_need_code,
        row_number() over (
            partition by periods.la_code, periods.period_type, periods.period_end, referrals.child_key
            order by referrals.referral_date desc
        ) as latest_first
    from periods
    inner join referrals
        on referrals.la_code = periods.la_code
        and referrals.referral_date <= periods.period_end
        and (referrals.closure_date is null or referrals.closure_date > periods.period_end)
),

at_end as (
    select la_code, period_type, period_end, primary_need_code, count(*) as children
    from open_at_end
    where latest_first = 1
    group by 1, 2, 3, 4
),

needs as (
    select la_code, period_type, period_end, primary_need_code from starting
    union
    select la_code, period_type, period_end, primary_need_code from at_end
)

select
    periods.la_code,
    periods.period_type,
    periods.period_start,
    periods.period_end,
    periods.financial_year,
    needs.primary_need_code,
    cast(coalesce(starting.referrals, 0) as integer) as referrals,
    cast(coalesce(at_end.children, 0) as integer) as children_in_need_at_period_end
from needs
inner join periods
    on periods.la_code = needs.la_code
    and periods.period_type = needs.period_type
    and periods.period_end = needs.period_end
left join starting
    on starting.la_code = needs.la_code
    and starting.period_type = needs.period_type
    and starting.period_end = needs.period_end
    and starting.primary_need_code = needs.primary_need_code
left join at_end
    on at_end.la_code = needs.la_code
    and at_end.period_type = needs.period_type
    and at_end.period_end = needs.period_end
    and at_end.primary_need_code = needs.primary_need_code
