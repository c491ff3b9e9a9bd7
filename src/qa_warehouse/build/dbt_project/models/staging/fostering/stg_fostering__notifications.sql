with current_snapshot as (
    -- raw keeps every accepted delivery: read only each authority's latest
    select *
    from {{ source('raw', 'notifications') }}
    where _load_id in (
        select load_id from {{ source('raw', 'current_loads') }} where extract = 'notifications'
    )
)

select
    {{ pseudonymise('notification_id') }} as notification_key,
    trim(la_code) as la_code,
    {{ pseudonymise('household_id') }} as household_key,
    {{ normalise_code('event_type') }} as event_type,
    cast(event_date as date) as event_date,
    cast(received_date as date) as received_date
from current_snapshot
