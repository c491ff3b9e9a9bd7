with current_snapshot as (
    -- raw keeps every accepted delivery: read only each authority's latest
    select *
    from {{ source('raw', 'carer_supervisions') }}
    where _load_id in (
        select load_id from {{ source('raw', 'current_loads') }} where extract = 'carer_supervisions'
    )
)

select
    {{ pseudonymise('supervision_id') }} as supervision_key,
    trim(la_code) as la_code,
    {{ pseudonymise('household_id') }} as household_key,
    cast(supervision_date as date) as supervision_date,
    {{ normalise_code('supervision_type') }} as supervision_type
from current_snapshot
