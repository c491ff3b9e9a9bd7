-- Worker spells as at each authority's current workforce delivery, one row per worker and spell.
-- The worker id becomes a pseudonymous key here; leave dates stay in staging and marts (they are
-- personal data): only counts and FTE reach reporting.
with current_snapshot as (
    {{ current_snapshot('raw_workforce', 'workforce') }}
)

select
    {{ pseudonymise('worker_id') }} as worker_key,
    trim(la_code) as la_code,
    trim(team) as team,
    nullif(trim(role), '') as role,
    cast(fte as numeric) as fte,
    {{ normalise_code('contract') }} as contract,
    cast(start_date as date) as start_date,
    cast(leave_date as date) as leave_date,
    cast(caseload as integer) as caseload,
    _extract_date as extract_date,
    _load_id as load_id
from current_snapshot
