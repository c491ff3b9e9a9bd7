-- Children's homes as at each authority's current childrens_homes delivery, one row per home.
-- home_key is the pseudonymous key reporting uses; the URN (a public Ofsted reference) and the
-- name stay in staging and marts, for joining 903 placements and for the service's own lists.
with current_snapshot as (
    {{ current_snapshot('raw_residential', 'childrens_homes') }}
)

select
    {{ pseudonymise('home_id') }} as home_key,
    trim(la_code) as la_code,
    upper(trim(home_id)) as urn,
    nullif(trim(home_name), '') as home_name,
    {{ normalise_code('provision') }} as provision,
    {{ normalise_code('registration_status') }} as registration_status,
    cast(registered_places as integer) as registered_places,
    cast(occupied_places as integer) as occupied_places,
    cast(last_inspection_date as date) as last_inspection_date,
    {{ normalise_code('inspection_judgement') }} as inspection_judgement,
    cast(application_date as date) as application_date,
    cast(registration_date as date) as registration_date,
    cast(closure_date as date) as closure_date,
    _extract_date as extract_date,
    _load_id as load_id
from current_snapshot
