-- Statutory visits to children in care from the current child_visits delivery; child_id becomes the
-- same pseudonymous child_key as the 903 CHILD, so visits join episodes.
with current_snapshot as (
    {{ current_snapshot('raw_children_in_care', 'child_visits') }}
)

select
    {{ pseudonymise('visit_id') }} as visit_key,
    {{ pseudonymise('child_id') }} as child_key,
    trim(la_code) as la_code,
    visit_date,
    seen_alone,
    _extract_date as extract_date,
    _load_id as load_id
from current_snapshot
