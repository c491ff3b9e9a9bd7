-- DfE's published benchmarks per authority and measure: England, the authority's region, its ten
-- statistical neighbours (mean), the authority's own published figure and its rank and quartile
-- among all authorities, for each published year (benchmark_period_end: the year's last day, e.g.
-- 31 March for children looked after and in need, 30 September for the workforce census).
-- reporting.measure_values sets beside each authority total the latest year ending on or before
-- its period. (Interface; filled from the explore-education-statistics extracts.)
select
    cast(null as text) as la_code,
    cast(null as text) as measure_code,
    cast(null as text) as benchmark_time_period,
    cast(null as date) as benchmark_period_end,
    cast(null as numeric) as authority_published_value,
    cast(null as numeric) as england_value,
    cast(null as numeric) as region_value,
    cast(null as numeric) as statistical_neighbours_value,
    cast(null as integer) as rank_among_authorities,
    cast(null as integer) as authorities_ranked,
    cast(null as integer) as quartile,
    cast(null as text) as benchmark_source
where false
