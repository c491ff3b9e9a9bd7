-- Statutory reviews of looked-after children from the current 903 Reviews delivery.
with current_snapshot as (
    -- raw keeps every accepted delivery: read only each authority's latest
    select *
    from {{ source('raw_children_in_care', 'ssda903_reviews') }}
    where _load_id in (
        select load_id from {{ source('raw', 'current_loads') }} where extract = 'ssda903_reviews'
    )
)

select
    {{ pseudonymise('child') }} as child_key,
    trim(la_code) as la_code,
    review as review_date,
    {{ normalise_code('review_code', upper=true) }} as review_code,
    _extract_date as extract_date,
    _load_id as load_id
from current_snapshot
