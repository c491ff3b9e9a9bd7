-- Decisions to place for adoption, from the current 903 PlacedAdoption delivery.
with current_snapshot as (
    -- raw keeps every accepted delivery: read only each authority's latest
    select *
    from {{ source('raw_children_in_care', 'ssda903_placed_adoption') }}
    where _load_id in (
        select load_id from {{ source('raw', 'current_loads') }} where extract = 'ssda903_placed_adoption'
    )
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
