-- Episodes of care from the current 903 Episodes delivery, one row per child and start date. Codes
-- upper-cased as DfE writes them; postcodes upper-cased with single spaces (blank: not known).
with current_snapshot as (
    {{ current_snapshot('raw_children_in_care', 'ssda903_episodes') }}
)

select
    {{ pseudonymise('child') }} as child_key,
    trim(la_code) as la_code,
    decom,
    {{ normalise_code('rne', upper=true) }} as rne,
    {{ normalise_code('ls', upper=true) }} as ls,
    {{ normalise_code('cin', upper=true) }} as cin,
    {{ normalise_code('place', upper=true) }} as place,
    {{ normalise_code('place_provider', upper=true) }} as place_provider,
    dec,
    {{ normalise_code('rec', upper=true) }} as rec,
    {{ normalise_code('reason_place_change', upper=true) }} as reason_place_change,
    nullif(upper(regexp_replace(trim(home_post), '\s+', ' ', 'g')), '') as home_post,
    nullif(upper(regexp_replace(trim(pl_post), '\s+', ' ', 'g')), '') as pl_post,
    upper(nullif(trim(urn), '')) as urn,
    _source_row as source_row,
    _extract_date as extract_date,
    _load_id as load_id
from current_snapshot
