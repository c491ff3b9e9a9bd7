with current_snapshot as (
    {{ current_snapshot('raw', 'carer_reviews') }}
)

select
    {{ pseudonymise('review_id') }} as review_key,
    trim(la_code) as la_code,
    {{ pseudonymise('household_id') }} as household_key,
    cast(review_date as date) as review_date,
    cast(panel_date as date) as panel_date
from current_snapshot
