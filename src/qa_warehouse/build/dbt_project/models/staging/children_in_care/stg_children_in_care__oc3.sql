-- Care leavers' outcomes from the current 903 OC3 delivery: in touch, activity, accommodation.
with current_snapshot as (
    {{ current_snapshot('raw_children_in_care', 'ssda903_oc3') }}
)

select
    {{ pseudonymise('child') }} as child_key,
    trim(la_code) as la_code,
    {{ normalise_code('in_touch', upper=true) }} as in_touch,
    {{ normalise_code('activ', upper=true) }} as activ,
    {{ normalise_code('accom', upper=true) }} as accom,
    _extract_date as extract_date,
    _load_id as load_id
from current_snapshot
