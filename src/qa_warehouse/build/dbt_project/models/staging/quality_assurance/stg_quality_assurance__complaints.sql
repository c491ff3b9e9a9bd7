-- Complaints, compliments and comments as at each authority's current delivery, one row per record.
with current_snapshot as (
    -- raw keeps every accepted delivery: read only each authority's latest
    select *
    from {{ source('raw_quality_assurance', 'complaints') }}
    where _load_id in (
        select load_id from {{ source('raw', 'current_loads') }} where extract = 'complaints'
    )
)

select
    {{ pseudonymise('record_id') }} as record_key,
    trim(la_code) as la_code,
    {{ normalise_code('record_type') }} as record_type,
    cast(received_date as date) as received_date,
    cast(stage as integer) as stage,
    {{ normalise_code('service') }} as service,
    cast(responded_date as date) as responded_date,
    {{ normalise_code('outcome') }} as outcome,
    cast(advocacy as boolean) as advocacy,
    {{ normalise_code('theme') }} as theme
from current_snapshot
