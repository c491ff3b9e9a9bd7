-- Child protection plans, one row per child and start date (CPPstartDate), from their start, end
-- and review rows: end date (blank while open), initial and latest category of abuse, and the
-- number of plans the child had before (NumberOfPreviousCPP).
select
    la_code,
    child_key,
    max(referral_date) as referral_date,
    plan_start_date,
    max(plan_end_date) as plan_end_date,
    max(initial_category_of_abuse) as initial_category_of_abuse,
    max(latest_category_of_abuse) as latest_category_of_abuse,
    max(number_of_previous_plans) as number_of_previous_plans
from {{ ref('stg_children_in_need__events') }}
where event_type in ('CPPstartDate', 'CPPendDate', 'CPPreviewDate')
    and child_key is not null
    and plan_start_date is not null
group by la_code, child_key, plan_start_date
