-- Child in need plans, one row per child and start date (CINPlanStartDate), with the end date
-- (blank while open).
select
    la_code,
    child_key,
    max(referral_date) as referral_date,
    cin_plan_start_date,
    max(cin_plan_end_date) as cin_plan_end_date
from {{ ref('stg_children_in_need__events') }}
where event_type in ('CINPlanStartDate', 'CINPlanEndDate')
    and child_key is not null
    and cin_plan_start_date is not null
group by la_code, child_key, cin_plan_start_date
