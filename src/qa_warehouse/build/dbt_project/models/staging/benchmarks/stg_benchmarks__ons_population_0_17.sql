-- The current download of ons_population_0_17 (contract load/contracts/ons_population_0_17.yml):
-- one row per geography, year. Indicators stay as published text (a number or DfE's symbol):
-- int_benchmarks__published_figures reads them.
with current_snapshot as (
    {{ current_snapshot('raw_benchmarks', 'ons_population_0_17') }}
)

select
    cast(time_period as integer) as time_period,
    {{ normalise_code('geographic_level') }} as geographic_level,
    nullif(trim(region_code), '') as region_code,
    nullif(trim(region_name), '') as region_name,
    nullif(trim(old_la_code), '') as la_code,
    nullif(trim(new_la_code), '') as gss_code,
    nullif(trim(la_name), '') as la_name,
    nullif(trim(population_0_to_17), '') as population_0_to_17,
    _extract_date as extract_date
from current_snapshot
