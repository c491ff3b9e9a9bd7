-- The children in need and child protection measures: one row per authority, reporting period
-- (int_children_in_need_reporting_periods: month, quarter, financial_year) and measure, with the
-- numerator and, for a percentage, the denominator (NULL for a count). Every period has a row for
-- every measure, zero where nothing is counted. Definitions (DfE's "Characteristics of children in
-- need", docs/children-in-need-figures.md):
--   events in the period [S, E]: referrals, re_referrals_12_months, referrals_no_further_action,
--     assessments_completed, assessments_45_working_days, section_47_enquiries, icpc_held,
--     icpc_15_working_days, cp_plans_second_or_subsequent, cp_plans_ceased_after_2_years;
--   positions at the period end E (children counted once): children_in_need_at_period_end,
--     children_awaiting_icpc, cp_plans_at_period_end, cp_plans_lasting_2_years, cp_reviews_in_time
--     (plans), cin_plans_open.
with periods as (
    select * from {{ ref('int_children_in_need_reporting_periods') }}
),

referrals as (
    select * from {{ ref('int_children_in_need_referrals') }}
),

plans as (
    select * from {{ ref('stg_children_in_need__protection_plans') }}
),

enquiries as (
    select * from {{ ref('int_children_in_need_section_47_outcomes') }}
),

referral_counts as (
    select
        periods.la_code, periods.period_type, periods.period_end,
        count(*) as referrals,
        count(*) filter (where referrals.is_re_referral) as re_referrals,
        count(*) filter (where referrals.referral_nfa) as no_further_action
    from periods
    inner join referrals
        on referrals.la_code = periods.la_code
        and referrals.referral_date between periods.period_start and periods.period_end
    group by periods.la_code, periods.period_type, periods.period_end
),

assessment_counts as (
    select
        periods.la_code, periods.period_type, periods.period_end,
        count(*) as completed,
        count(*) filter (where assessments.in_time) as in_time
    from periods
    inner join {{ ref('int_children_in_need_assessment_outcomes') }} as assessments
        on assessments.la_code = periods.la_code
        and assessments.assessment_authorisation_date between periods.period_start and periods.period_end
    group by periods.la_code, periods.period_type, periods.period_end
),

enquiry_counts as (
    select
        periods.la_code, periods.period_type, periods.period_end,
        count(*) filter (where enquiries.s47_start_date between periods.period_start and periods.period_end)
            as enquiries_started,
        count(*) filter (where enquiries.initial_cpc_date between periods.period_start and periods.period_end)
            as icpcs_held,
        count(*) filter (where enquiries.initial_cpc_date between periods.period_start and periods.period_end
            and enquiries.icpc_in_time) as icpcs_in_time,
        count(distinct enquiries.child_key) filter (where enquiries.s47_start_date <= periods.period_end
            and not enquiries.icpc_not_required
            and (enquiries.initial_cpc_date is null or enquiries.initial_cpc_date > periods.period_end)
            and (enquiries.closure_date is null or enquiries.closure_date > periods.period_end)) as awaiting_icpc
    from periods
    inner join enquiries
        on enquiries.la_code = periods.la_code
        and enquiries.s47_start_date <= periods.period_end
    group by periods.la_code, periods.period_type, periods.period_end
),

plan_counts as (
    select
        periods.la_code, periods.period_type, periods.period_end,
        count(*) filter (where plans.plan_start_date between periods.period_start and periods.period_end)
            as plans_started,
        count(*) filter (where plans.plan_start_date between periods.period_start and periods.period_end
            and plans.number_of_previous_plans > 0) as plans_started_again,
        count(*) filter (where plans.plan_end_date between periods.period_start and periods.period_end)
            as plans_ended,
        count(*) filter (where plans.plan_end_date between periods.period_start and periods.period_end
            and plans.plan_end_date
            >= cast(plans.plan_start_date + {{ children_in_need_timescale('plan_ceased_after') }} as date))
            as plans_ended_after_2_years,
        count(distinct plans.child_key) filter (where plans.plan_end_date is null
            or plans.plan_end_date > periods.period_end) as children_on_plans,
        count(distinct plans.child_key) filter (where (plans.plan_end_date is null
            or plans.plan_end_date > periods.period_end)
            and plans.plan_start_date
            <= cast(periods.period_end - {{ children_in_need_timescale('plan_open_for') }} as date))
            as children_on_plans_2_years
    from periods
    inner join plans
        on plans.la_code = periods.la_code
        and plans.plan_start_date <= periods.period_end
    group by periods.la_code, periods.period_type, periods.period_end
),

review_counts as (
    select
        periods.la_code, periods.period_type, periods.period_end,
        count(*) filter (where reviews.in_time) as in_time,
        count(*) as reviewable
    from periods
    inner join {{ ref('int_children_in_need_review_outcomes') }} as reviews
        on reviews.la_code = periods.la_code
        and reviews.as_at = periods.period_end
        and reviews.is_reviewable
    group by periods.la_code, periods.period_type, periods.period_end
),

open_counts as (
    select
        periods.la_code, periods.period_type, periods.period_end,
        count(distinct referrals.child_key) as children_in_need
    from periods
    inner join referrals
        on referrals.la_code = periods.la_code
        and referrals.referral_date <= periods.period_end
        and (referrals.closure_date is null or referrals.closure_date > periods.period_end)
    group by periods.la_code, periods.period_type, periods.period_end
),

cin_plan_counts as (
    select
        periods.la_code, periods.period_type, periods.period_end,
        count(distinct cin_plans.child_key) as children_on_cin_plans
    from periods
    inner join {{ ref('stg_children_in_need__cin_plans') }} as cin_plans
        on cin_plans.la_code = periods.la_code
        and cin_plans.cin_plan_start_date <= periods.period_end
        and (cin_plans.cin_plan_end_date is null or cin_plans.cin_plan_end_date > periods.period_end)
    group by periods.la_code, periods.period_type, periods.period_end
)

select
    periods.la_code,
    periods.period_type,
    periods.period_start,
    periods.period_end,
    periods.financial_year,
    measures.measure_code,
    cast(coalesce(measures.numerator, 0) as integer) as numerator,
    cast(case when measures.is_percentage then coalesce(measures.denominator, 0) end as integer) as denominator
from periods
left join referral_counts as rc
    on rc.la_code = periods.la_code and rc.period_type = periods.period_type and rc.period_end = periods.period_end
left join assessment_counts as ac
    on ac.la_code = periods.la_code and ac.period_type = periods.period_type and ac.period_end = periods.period_end
left join enquiry_counts as ec
    on ec.la_code = periods.la_code and ec.period_type = periods.period_type and ec.period_end = periods.period_end
left join plan_counts as pc
    on pc.la_code = periods.la_code and pc.period_type = periods.period_type and pc.period_end = periods.period_end
left join review_counts as rv
    on rv.la_code = periods.la_code and rv.period_type = periods.period_type and rv.period_end = periods.period_end
left join open_counts as oc
    on oc.la_code = periods.la_code and oc.period_type = periods.period_type and oc.period_end = periods.period_end
left join cin_plan_counts as cp
    on cp.la_code = periods.la_code and cp.period_type = periods.period_type and cp.period_end = periods.period_end
cross join lateral (
    values
        ('referrals', rc.referrals, null, false),
        ('re_referrals_12_months', rc.re_referrals, rc.referrals, true),
        ('referrals_no_further_action', rc.no_further_action, rc.referrals, true),
        ('assessments_completed', ac.completed, null, false),
        ('assessments_45_working_days', ac.in_time, ac.completed, true),
        ('children_in_need_at_period_end', oc.children_in_need, null, false),
        ('section_47_enquiries', ec.enquiries_started, null, false),
        ('icpc_held', ec.icpcs_held, null, false),
        ('icpc_15_working_days', ec.icpcs_in_time, ec.icpcs_held, true),
        ('children_awaiting_icpc', ec.awaiting_icpc, null, false),
        ('cp_plans_at_period_end', pc.children_on_plans, null, false),
        ('cp_plans_second_or_subsequent', pc.plans_started_again, pc.plans_started, true),
        ('cp_plans_ceased_after_2_years', pc.plans_ended_after_2_years, pc.plans_ended, true),
        ('cp_plans_lasting_2_years', pc.children_on_plans_2_years, null, false),
        ('cp_reviews_in_time', rv.in_time, rv.reviewable, true),
        ('cin_plans_open', cp.children_on_cin_plans, null, false)
) as measures (measure_code, numerator, denominator, is_percentage)
