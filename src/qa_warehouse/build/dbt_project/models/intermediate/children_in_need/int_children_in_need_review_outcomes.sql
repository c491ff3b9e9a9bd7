-- Child protection reviews, judged at each date D a figure or a list is taken at (every reporting
-- period end, and the census extract date for the exception lists), for every plan open at D
-- (started on or before D, no end or an end after D):
--   the first review conference is due within 3 months of the plan's start, each later one within
--   6 months of the one before (seed children_in_need_timescales; Working Together). A review held
--   on its due date is in time, a day later is late;
--   reviewable: the plan had been open for at least 3 months at D (started on or before D less 3
--   months) - DfE's population for "reviewed within required timescales" at 31 March;
--   in_time: every review held up to D was held by its due date, and the next review is not
--   overdue at D (its due date is D or later); next_review_due is that due date.
with as_at_dates as (
    select la_code, period_end as as_at from {{ ref('int_children_in_need_reporting_periods') }}
    union
    select la_code, extract_date from {{ ref('stg_children_in_need__current_loads') }}
),

open_plans as (
    select
        as_at_dates.as_at,
        plans.la_code,
        plans.child_key,
        plans.referral_date,
        plans.plan_start_date
    from as_at_dates
    inner join {{ ref('stg_children_in_need__protection_plans') }} as plans
        on plans.la_code = as_at_dates.la_code
        and plans.plan_start_date <= as_at_dates.as_at
        and (plans.plan_end_date is null or plans.plan_end_date > as_at_dates.as_at)
),

held as (
    select
        open_plans.as_at,
        open_plans.la_code,
        open_plans.child_key,
        open_plans.plan_start_date,
        reviews.review_date,
        case
            when lag(reviews.review_date) over by_plan is null
                then cast(open_plans.plan_start_date + {{ children_in_need_timescale('first_review_within') }} as date)
            else cast(lag(reviews.review_date) over by_plan + {{ children_in_need_timescale('later_review_within') }}
                      as date)
        end as due_date
    from open_plans
    inner join {{ ref('stg_children_in_need__protection_plan_reviews') }} as reviews
        on reviews.la_code = open_plans.la_code
        and reviews.child_key = open_plans.child_key
        and reviews.plan_start_date = open_plans.plan_start_date
        and reviews.review_date <= open_plans.as_at
    window by_plan as (
        partition by open_plans.as_at, open_plans.la_code, open_plans.child_key, open_plans.plan_start_date
        order by reviews.review_date
    )
),

per_plan as (
    select
        as_at,
        la_code,
        child_key,
        plan_start_date,
        count(*) as reviews_held,
        max(review_date) as last_review_date,
        bool_or(review_date > due_date) as any_review_late
    from held
    group by as_at, la_code, child_key, plan_start_date
),

judged as (
    select
        open_plans.*,
        coalesce(per_plan.reviews_held, 0) as reviews_held,
        per_plan.last_review_date,
        coalesce(per_plan.any_review_late, false) as any_review_late,
        case
            when per_plan.last_review_date is null
                then cast(open_plans.plan_start_date + {{ children_in_need_timescale('first_review_within') }} as date)
            else cast(per_plan.last_review_date + {{ children_in_need_timescale('later_review_within') }} as date)
        end as next_review_due,
        open_plans.plan_start_date
        <= cast(open_plans.as_at - {{ children_in_need_timescale('reviewable_after') }} as date) as is_reviewable
    from open_plans
    left join per_plan
        on per_plan.as_at = open_plans.as_at
        and per_plan.la_code = open_plans.la_code
        and per_plan.child_key = open_plans.child_key
        and per_plan.plan_start_date = open_plans.plan_start_date
)

select
    judged.*,
    not judged.any_review_late and judged.next_review_due >= judged.as_at as in_time
from judged
