with current_snapshot as (
    -- raw keeps every accepted delivery: read only each authority's latest
    select *
    from {{ source('raw', 'carer_training') }}
    where _load_id in (
        select load_id from {{ source('raw', 'current_loads') }} where extract = 'carer_training'
    )
)

select
    {{ pseudonymise('carer_id') }} as carer_key,
    trim(la_code) as la_code,
    {{ pseudonymise('household_id') }} as household_key,
    cast(tsd_due_date as date) as tsd_due_date,
    cast(tsd_completed_date as date) as tsd_completed_date
from current_snapshot
