-- Child protection review conferences, one row per child, plan (its CPPstartDate) and review date.
select distinct
    la_code,
    child_key,
    plan_start_date,
    event_date as review_date
from {{ ref('stg_children_in_need__events') }}
where event_type = 'CPPreviewDate'
    and child_key is not null
    and plan_start_date is not null
