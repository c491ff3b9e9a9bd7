-- Plans for children in care and care leavers from the current child_plans delivery; child_id
-- becomes the same pseudonymous child_key as the 903 CHILD.
with current_snapshot as (
    {{ current_snapshot('raw_children_in_care', 'child_plans') }}
)

select
    {{ pseudonymise('plan_id') }} as plan_key,
    {{ pseudonymise('child_id') }} as child_key,
    trim(la_code) as la_code,
    {{ normalise_code('plan_type') }} as plan_type,
    start_date,
    last_review_date,
    next_due_date,
    _extract_date as extract_date,
    _load_id as load_id
from current_snapshot
