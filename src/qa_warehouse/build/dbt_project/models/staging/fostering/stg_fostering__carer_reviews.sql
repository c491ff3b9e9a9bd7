with current_snapshot as (
    -- raw keeps every accepted delivery: read only each authority's latest
    select *
    from {{ source('raw', 'carer_reviews') }}
    where _load_id in (
        select load_id from {{ source('raw', 'current_loads') }} where extract = 'carer_reviews'
    )
)

select
    {{ pseudonymise('review_id') }} as review_key,
    trim(la_code) as la_code,
    {{ pseudonymise('household_id') }} as household_key,
    cast(review_date as date) as review_date,
    cast(panel_date as date) as panel_date
from current_snapshot
