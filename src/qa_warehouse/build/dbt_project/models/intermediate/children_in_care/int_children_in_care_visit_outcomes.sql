-- Statutory visits (Care Planning, Placement and Case Review Regulations 2010, reg 28) for each
-- child looked after at D: in time with a visit (since the period of care began) within 6 weeks
-- of D, or within 3 months when the child is in a long-term placement that has lasted a year.
-- "Long-term" is read from child_plans: a permanence plan started on or before D records that the
-- current placement is intended to last until the child is 18 (the 903 has no such field).
-- Not yet due: the placement began within a week of D and there has been no visit in it yet
-- (reg 28(2)(a)). Otherwise out of time. Timescales: seed children_in_care_care_timescales.
with cohort as (
    select * from {{ ref('int_children_in_care_care_cohort') }}
),

visits as (
    select
        cohort.la_code,
        cohort.period_type,
        cohort.period_end,
        cohort.child_key,
        max(visits.visit_date) as last_visit_date
    from cohort
    inner join {{ ref('stg_children_in_care__child_visits') }} as visits
        on visits.la_code = cohort.la_code
        and visits.child_key = cohort.child_key
        and visits.visit_date between cohort.period_of_care_start and cohort.period_end
    group by cohort.la_code, cohort.period_type, cohort.period_end, cohort.child_key
),

permanence_plans as (
    select distinct cohort.la_code, cohort.period_type, cohort.period_end, cohort.child_key
    from cohort
    inner join {{ ref('stg_children_in_care__child_plans') }} as plans
        on plans.la_code = cohort.la_code
        and plans.child_key = cohort.child_key
        and plans.plan_type = 'permanence_plan'
        and plans.start_date <= cohort.period_end
),

judged as (
    select
        cohort.*,
        visits.last_visit_date,
        permanence_plans.child_key is not null
            and cohort.placement_start <= cohort.period_end - {{ children_in_care_timescale('long_term_after') }}
            as is_long_term_after_first_year
    from cohort
    left join visits
        on visits.la_code = cohort.la_code
        and visits.period_type = cohort.period_type
        and visits.period_end = cohort.period_end
        and visits.child_key = cohort.child_key
    left join permanence_plans
        on permanence_plans.la_code = cohort.la_code
        and permanence_plans.period_type = cohort.period_type
        and permanence_plans.period_end = cohort.period_end
        and permanence_plans.child_key = cohort.child_key
)

select
    la_code,
    period_type,
    period_start,
    period_end,
    child_key,
    placement_start,
    last_visit_date,
    is_long_term_after_first_year,
    case
        when last_visit_date > period_end - case when is_long_term_after_first_year
                then {{ children_in_care_timescale('long_term_visit_within') }}
                else {{ children_in_care_timescale('visit_within') }} end
            then 'in_time'
        when placement_start > period_end - {{ children_in_care_timescale('first_visit_within') }}
            and (last_visit_date is null or last_visit_date < placement_start)
            then 'not_yet_due'
        else 'out_of_time'
    end as outcome
from judged
