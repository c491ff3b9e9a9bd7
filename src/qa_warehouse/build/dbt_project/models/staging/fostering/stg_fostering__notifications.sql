with current_snapshot as (
    {{ current_snapshot('raw', 'notifications') }}
)

select
    {{ pseudonymise('notification_id') }} as notification_key,
    trim(la_code) as la_code,
    {{ pseudonymise('household_id') }} as household_key,
    {{ normalise_code('event_type') }} as event_type,
    cast(event_date as date) as event_date,
    cast(received_date as date) as received_date
from current_snapshot
