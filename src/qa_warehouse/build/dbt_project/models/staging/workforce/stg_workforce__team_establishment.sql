-- Each team's establishment as at each authority's current delivery, one row per team.
with current_snapshot as (
    {{ current_snapshot('raw_workforce', 'team_establishment') }}
)

select
    trim(la_code) as la_code,
    trim(team) as team,
    {{ normalise_code('service') }} as service,
    cast(establishment_fte as numeric) as establishment_fte,
    _extract_date as extract_date
from current_snapshot
