-- Statutory visits to children in care from the current child_visits delivery; child_id becomes the
-- same pseudonymous child_key as the 903 CHILD, so visits join episodes.
with current_snapshot as (
    -- raw keeps every accepted delivery: read only each authority's latest
    select *
    from {{ source('raw_children_in_care', 'child_visits') }}
    where _load_id in (
        select load_id from {{ source('raw', 'current_loads') }} where extract = 'child_visits'
    )
)

select
    {{ pseudonymise('visit_id') }} as visit_key,
    {{ pseudonymise('child_id') }} as child_key,
    trim(la_code) as la_code,
    visit_date,
    seen_alone,
    _extract_date as extract_date,
    _load_id as load_id
from current_snapshot
