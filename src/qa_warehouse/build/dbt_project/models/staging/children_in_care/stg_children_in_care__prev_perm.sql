-- Previous permanence orders, from the current 903 PrevPerm delivery (DATE_PERM stays text:
-- DfE allows an unknown day or month).
with current_snapshot as (
    {{ current_snapshot('raw_children_in_care', 'ssda903_prev_perm') }}
)

select
    {{ pseudonymise('child') }} as child_key,
    trim(la_code) as la_code,
    {{ normalise_code('prev_perm', upper=true) }} as prev_perm,
    nullif(trim(la_perm), '') as la_perm,
    nullif(trim(date_perm), '') as date_perm,
    _extract_date as extract_date,
    _load_id as load_id
from current_snapshot
