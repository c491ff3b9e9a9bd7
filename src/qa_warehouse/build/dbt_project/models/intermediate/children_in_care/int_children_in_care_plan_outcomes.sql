-- Whether each child looked after at D who needs a plan has one up to date: the plan of that type
-- with the latest start date on or before D, up to date when its next_due_date is D or later
-- (child_plans is a snapshot: its next_due_date is the one recorded at the extract date).
-- Who needs which plan:
--   care_plan_up_to_date: every child looked after at D (Children Act 1989 s31A, reg 4);
--   pep_up_to_date: children of compulsory school age at D, read as aged 5 to 15 on the 31 August
--     that began the school year (Years 1 to 11; a PEP is part of the care plan, reg 5(b)(ii));
--   pathway_plan_up_to_date: eligible children, aged 16 or over at D and looked after for at least
--     13 weeks in total since their 14th birthday (Care Leavers (England) Regulations 2010 reg 40).
-- No plan: out of date. A plan without a next due date: not known (left out of the denominator).
with cohort as (
    select * from {{ ref('int_children_in_care_care_cohort') }}
),

since_14 as (
    -- days looked after (short breaks excluded) from the 14th birthday to D
    select
        cohort.la_code,
        cohort.period_type,
        cohort.period_end,
        cohort.child_key,
        sum(greatest(0,
            least(coalesce(spells.dec, cohort.period_end + 1), cohort.period_end + 1)
            - greatest(spells.decom, cast(cohort.dob + interval '14 years' as date))
        )) as days_looked_after_since_14
    from cohort
    inner join {{ ref('int_children_in_care_care_episode_spells') }} as spells
        on spells.la_code = cohort.la_code
        and spells.child_key = cohort.child_key
        and spells.decom <= cohort.period_end
    where cohort.dob is not null
    group by cohort.la_code, cohort.period_type, cohort.period_end, cohort.child_key
),

needs as (
    select
        cohort.*,
        'care_plan' as plan_type,
        'care_plan_up_to_date' as measure_code
    from cohort
    union all
    select cohort.*, 'pep', 'pep_up_to_date'
    from cohort
    where extract(year from age(
            make_date(cast(extract(year from cohort.period_end) as integer)
                      - case when extract(month from cohort.period_end) < 9 then 1 else 0 end, 8, 31),
            cohort.dob)) between 5 and 15
    union all
    select cohort.*, 'pathway_plan', 'pathway_plan_up_to_date'
    from cohort
    inner join since_14
        on since_14.la_code = cohort.la_code
        and since_14.period_type = cohort.period_type
        and since_14.period_end = cohort.period_end
        and since_14.child_key = cohort.child_key
    where cohort.dob <= cohort.period_end - {{ children_in_care_timescale('eligible_from_age') }}
        and since_14.days_looked_after_since_14
            >= {{ children_in_care_timescale('eligible_looked_after_since_14', as_length=true) }}
),

latest_plans as (
    select distinct on (needs.la_code, needs.period_type, needs.period_end, needs.child_key, needs.plan_type)
        needs.la_code,
        needs.period_type,
        needs.period_end,
        needs.child_key,
        needs.plan_type,
        plans.plan_key,
        plans.start_date,
        plans.next_due_date
    from needs
    inner join {{ ref('stg_children_in_care__child_plans') }} as plans
        on plans.la_code = needs.la_code
        and plans.child_key = needs.child_key
        and plans.plan_type = needs.plan_type
        and plans.start_date <= needs.period_end
    order by
        needs.la_code asc, needs.period_type asc, needs.period_end asc, needs.child_key asc, needs.plan_type asc,
        plans.start_date desc, plans.plan_key asc
)

select
    needs.la_code,
    needs.period_type,
    needs.period_start,
    needs.period_end,
    needs.child_key,
    needs.measure_code,
    latest_plans.plan_key,
    latest_plans.next_due_date,
    case
        when latest_plans.plan_key is null then 'out_of_date'
        when latest_plans.next_due_date is null then 'not_known'
        when latest_plans.next_due_date >= needs.period_end then 'up_to_date'
        else 'out_of_date'
    end as outcome
from needs
left join latest_plans
    on latest_plans.la_code = needs.la_code
    and latest_plans.period_type = needs.period_type
    and latest_plans.period_end = needs.period_end
    and latest_plans.child_key = needs.child_key
    and latest_plans.plan_type = needs.plan_type
