-- Every section 47 enquiry with the date its initial child protection conference is due, the 15th
-- working day after the strategy discussion (S47ActualStartDate; seed children_in_need_timescales,
-- icpc_within), and its episode's closure date (an enquiry of a closed episode awaits nothing).
with due as (
    select
        enquiries.*,
        referrals.closure_date,
        {{ nth_working_day_after('enquiries.s47_start_date',
                                 children_in_need_timescale('icpc_within', as_length=true)) }} as icpc_due_date
    from {{ ref('stg_children_in_need__section_47_enquiries') }} as enquiries
    left join {{ ref('stg_children_in_need__referrals') }} as referrals
        on referrals.la_code = enquiries.la_code
        and referrals.child_key = enquiries.child_key
        and referrals.referral_date = enquiries.referral_date
)

select
    due.*,
    -- NULL while no conference has been held
    due.initial_cpc_date <= due.icpc_due_date as icpc_in_time
from due
