-- Child protection plans by category of abuse (NEG, PHY, SAB, EMO, MUL; not_recorded where blank),
-- once by the initial category (at the plan's start) and once by the latest: plans starting in each
-- reporting period, and plans open at the period end. Rows only for categories with either.
with periods as (
    select * from {{ ref('int_children_in_need_reporting_periods') }}
),

by_kind as (
    select
        plans.la_code,
        plans.child_key,
        plans.plan_start_date,
        plans.plan_end_date,
        kinds.category_kind,
        coalesce(kinds.category_of_abuse, 'not_recorded') as category_of_abuse
    from {{ ref('stg_children_in_need__protection_plans') }} as plans
    cross join lateral (
        values ('initial', plans.initial_category_of_abuse), ('latest', plans.latest_category_of_abuse)
    ) as kinds (category_kind, category_of_abuse)
),

counted as (
    select
        periods.la_code, periods.period_type, periods.period_start, periods.period_end, periods.financial_year,
        by_kind.category_kind,
        by_kind.category_of_abuse,
        count(*) filter (where by_kind.plan_start_date >= periods.period_start) as plans_started,
        count(*) filter (where by_kind.plan_end_date is null or by_kind.plan_end_date > periods.period_end)
            as plans_open_at_period_end
    from periods
    inner join by_kind
        on by_kind.la_code = periods.la_code
        and by_kind.plan_start_date <= periods.period_end
    group by 1, 2, 3, 4, 5, 6, 7
)

select
    la_code,
    period_type,
    period_start,
    period_end,
    financial_year,
    category_kind,
    category_of_abuse,
    cast(plans_started as integer) as plans_started,
    cast(plans_open_at_period_end as integer) as plans_open_at_period_end
from counted
where plans_started > 0 or plans_open_at_period_end > 0
