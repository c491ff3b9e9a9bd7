-- DfE's published benchmarks per authority and measure: England, the authority's region, its ten
-- statistical neighbours (mean), the authority's own published figure and its rank and quartile
-- among all authorities, for each published year (benchmark_period_end: the year's last day, e.g.
-- 31 March for children looked after and in need, 30 September for the workforce census).
-- reporting.measure_values sets beside each authority total the latest year ending on or before
-- its period. Computed in int_benchmarks__measure_figures (docs/benchmarks.md).
select
    la_code,
    measure_code,
    benchmark_time_period,
    benchmark_period_end,
    authority_published_value,
    england_value,
    region_value,
    statistical_neighbours_value,
    rank_among_authorities,
    authorities_ranked,
    quartile,
    benchmark_source
from {{ ref('int_benchmarks__measure_figures') }}
