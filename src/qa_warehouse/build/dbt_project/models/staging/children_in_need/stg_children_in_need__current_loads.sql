-- The snapshot the children in need census is read from, per authority: its load and as-at date.
select
    extract,
    trim(la_code) as la_code,
    load_id,
    extract_date
from {{ source('raw', 'current_loads') }}
where extract = 'cin_census'
