-- Each child in the authority's current 903 Header: the child id becomes a pseudonymous key; UPN,
-- the mother's details and names never leave raw.
with current_snapshot as (
    {{ current_snapshot('raw_children_in_care', 'ssda903_header') }}
)

select
    {{ pseudonymise('child') }} as child_key,
    trim(la_code) as la_code,
    {{ ssda903_sex('sex') }} as sex,
    dob,
    {{ normalise_code('ethnic', upper=true) }} as ethnic,
    _extract_date as extract_date,
    _load_id as load_id
from current_snapshot
