-- Statutory reviews of looked-after children from the current 903 Reviews delivery.
with current_snapshot as (
    {{ current_snapshot('raw_children_in_care', 'ssda903_reviews') }}
)

select
    {{ pseudonymise('child') }} as child_key,
    trim(la_code) as la_code,
    review as review_date,
    {{ normalise_code('review_code', upper=true) }} as review_code,
    _extract_date as extract_date,
    _load_id as load_id
from current_snapshot
