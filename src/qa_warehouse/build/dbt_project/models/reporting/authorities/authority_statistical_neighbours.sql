-- DfE's statistical neighbours list as loaded: each authority's ten neighbours, closest first.
select
    la_code,
    neighbour_rank,
    neighbour_la_code,
    neighbour_la_name
from {{ ref('stg_benchmarks__statistical_neighbours') }}
