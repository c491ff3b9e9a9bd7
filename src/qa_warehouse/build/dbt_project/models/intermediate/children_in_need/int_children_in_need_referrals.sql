-- Every referral of the current census with whether it is a re-referral: the same child had another
-- referral within the 12 months before it (seed children_in_need_timescales, re_referral_within).
-- DfE: "a re-referral occurs when a child is referred within 12 months of a previous referral"; a
-- previous referral on the same date 12 months earlier (PostgreSQL's calendar: 29 February less
-- 12 months is 28 February) is within them and counts (docs/children-in-need-figures.md).
with referrals as (
    select * from {{ ref('stg_children_in_need__referrals') }}
)

select
    referrals.*,
    exists(
        select 1 from referrals as previous
        where previous.la_code = referrals.la_code
            and previous.child_key = referrals.child_key
            and previous.referral_date < referrals.referral_date
            and previous.referral_date
                >= cast(referrals.referral_date - {{ children_in_need_timescale('re_referral_within') }} as date)
    ) as is_re_referral
from referrals
