-- Missing (M) and away (A) periods of looked-after children, from the current 903 Missing delivery.
with current_snapshot as (
    {{ current_snapshot('raw_children_in_care', 'ssda903_missing') }}
)

select
    {{ pseudonymise('child') }} as child_key,
    trim(la_code) as la_code,
    {{ normalise_code('missing', upper=true) }} as missing,
    mis_start,
    mis_end,
    _extract_date as extract_date,
    _load_id as load_id
from current_snapshot
