-- Children adopted from care, from the current 903 AD1 delivery.
with current_snapshot as (
    {{ current_snapshot('raw_children_in_care', 'ssda903_ad1') }}
)

select
    {{ pseudonymise('child') }} as child_key,
    trim(la_code) as la_code,
    date_int,
    date_match,
    foster_care,
    {{ normalise_code('nb_adoptr', upper=true) }} as nb_adoptr,
    {{ normalise_code('sex_adoptr', upper=true) }} as sex_adoptr,
    {{ normalise_code('ls_adoptr', upper=true) }} as ls_adoptr,
    _extract_date as extract_date,
    _load_id as load_id
from current_snapshot
