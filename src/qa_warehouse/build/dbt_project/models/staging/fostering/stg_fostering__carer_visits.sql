with current_snapshot as (
    -- raw keeps every accepted delivery: read only each authority's latest
    select *
    from {{ source('raw', 'carer_visits') }}
    where _load_id in (
        select load_id from {{ source('raw', 'current_loads') }} where extract = 'carer_visits'
    )
)

select
    {{ pseudonymise('visit_id') }} as visit_key,
    trim(la_code) as la_code,
    {{ pseudonymise('household_id') }} as household_key,
    cast(visit_date as date) as visit_date,
    {{ normalise_code('visit_type') }} as visit_type,
    {{ pseudonymise('worker_id') }} as worker_key
from current_snapshot
