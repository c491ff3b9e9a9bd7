-- DfE's statistical neighbours (contract dfe_statistical_neighbours.yml): the current list, one row
-- per authority and neighbour, closest first.
with current_snapshot as (
    {{ current_snapshot('raw_benchmarks', 'dfe_statistical_neighbours') }}
)

select
    trim(old_la_code) as la_code,
    trim(la_name) as la_name,
    cast(neighbour_rank as integer) as neighbour_rank,
    trim(neighbour_old_la_code) as neighbour_la_code,
    trim(neighbour_la_name) as neighbour_la_name,
    _extract_date as extract_date
from current_snapshot
