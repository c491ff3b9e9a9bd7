-- Social worker episodes of looked-after children, from the current 903 SWEpisodes delivery;
-- the social worker id becomes a pseudonymous key too.
with current_snapshot as (
    {{ current_snapshot('raw_children_in_care', 'ssda903_sw_episodes') }}
)

select
    {{ pseudonymise('child') }} as child_key,
    trim(la_code) as la_code,
    {{ pseudonymise('sw_id') }} as sw_key,
    sw_decom,
    sw_dec,
    {{ normalise_code('sw_reason', upper=true) }} as sw_reason,
    _extract_date as extract_date,
    _load_id as load_id
from current_snapshot
