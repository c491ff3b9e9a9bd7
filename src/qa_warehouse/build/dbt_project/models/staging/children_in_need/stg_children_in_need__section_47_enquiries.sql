-- Section 47 enquiries, one row per child, episode and strategy discussion (S47ActualStartDate),
-- with the enquiry's initial child protection conference (DateOfInitialCPC of the Section47 block;
-- blank while none has been held) and whether none is required (ICPCnotRequired).
select
    la_code,
    child_key,
    referral_date,
    s47_start_date,
    max(initial_cpc_date) as initial_cpc_date,
    coalesce(bool_or(icpc_not_required), false) as icpc_not_required
from {{ ref('stg_children_in_need__events') }}
where event_type = 'S47ActualStartDate'
    and child_key is not null
    and s47_start_date is not null
group by la_code, child_key, referral_date, s47_start_date
