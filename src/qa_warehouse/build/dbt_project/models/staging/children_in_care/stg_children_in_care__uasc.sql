-- Unaccompanied asylum-seeking children from the current 903 UASC delivery.
with current_snapshot as (
    -- raw keeps every accepted delivery: read only each authority's latest
    select *
    from {{ source('raw_children_in_care', 'ssda903_uasc') }}
    where _load_id in (
        select load_id from {{ source('raw', 'current_loads') }} where extract = 'ssda903_uasc'
    )
)

select
    {{ pseudonymise('child') }} as child_key,
    trim(la_code) as la_code,
    {{ normalise_code('sex', upper=true) }} as sex,
    duc,
    _extract_date as extract_date,
    _load_id as load_id
from current_snapshot
