-- Published from int_children_in_care_social_worker_stability_in_periods
-- (docs/children-in-care-permanence.md): counts and averages only, no child keys or dates of children.
select
    la_code,
    period_type,
    period_start,
    period_end,
    financial_year,
    looked_after_at_period_end,
    one_social_worker,
    two_social_workers,
    three_or_more_social_workers,
    no_social_worker_recorded
from {{ ref('int_children_in_care_social_worker_stability_in_periods') }}
