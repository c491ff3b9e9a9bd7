-- Unaccompanied asylum-seeking children from the current 903 UASC delivery.
with current_snapshot as (
    {{ current_snapshot('raw_children_in_care', 'ssda903_uasc') }}
)

select
    {{ pseudonymise('child') }} as child_key,
    trim(la_code) as la_code,
    {{ ssda903_sex('sex') }} as sex,
    duc,
    _extract_date as extract_date,
    _load_id as load_id
from current_snapshot
