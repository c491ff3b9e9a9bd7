-- Decisions to place for adoption, from the current 903 PlacedAdoption delivery.
with current_snapshot as (
    {{ current_snapshot('raw_children_in_care', 'ssda903_placed_adoption') }}
)

select
    {{ pseudonymise('child') }} as child_key,
    trim(la_code) as la_code,
    date_placed,
    date_placed_ceased,
    {{ normalise_code('reason_placed_ceased', upper=true) }} as reason_placed_ceased,
    _extract_date as extract_date,
    _load_id as load_id
from current_snapshot
