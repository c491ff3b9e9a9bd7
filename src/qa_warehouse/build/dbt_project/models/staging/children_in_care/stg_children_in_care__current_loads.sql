-- The snapshot each children in care extract is read from, per authority: its load and as-at date.
select
    extract,
    trim(la_code) as la_code,
    load_id,
    extract_date
from {{ source('raw', 'current_loads') }}
where extract in (
    'ssda903_header', 'ssda903_episodes', 'ssda903_reviews', 'ssda903_uasc', 'ssda903_oc2', 'ssda903_oc3',
    'ssda903_ad1', 'ssda903_placed_adoption', 'ssda903_prev_perm', 'ssda903_missing', 'ssda903_sw_episodes',
    'child_visits', 'child_plans'
)
