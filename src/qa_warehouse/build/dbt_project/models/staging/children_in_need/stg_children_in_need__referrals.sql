-- Referrals (episodes of need), one row per child and referral date, with the episode's details
-- (every event row of the episode repeats them). initial_cpc_date is the episode's DateOfInitialCPC
-- (CINdetails): a section 47 row carries its own enquiry's instead, so those rows are not read for it.
select
    la_code,
    child_key,
    referral_date,
    max(referral_source) as referral_source,
    max(primary_need_code) as primary_need_code,
    max(closure_date) as closure_date,
    max(reason_for_closure) as reason_for_closure,
    bool_or(referral_nfa) as referral_nfa,
    max(initial_cpc_date) filter (where event_type <> 'S47ActualStartDate') as initial_cpc_date,
    max(extract_date) as extract_date
from {{ ref('stg_children_in_need__events') }}
where child_key is not null and referral_date is not null
group by la_code, child_key, referral_date
