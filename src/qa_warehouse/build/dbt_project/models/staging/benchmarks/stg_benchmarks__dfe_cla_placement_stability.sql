-- The current download of dfe_cla_placement_stability (contract load/contracts/dfe_cla_placement_stability.yml):
-- one row per geography, year and breakdown. Indicators stay as published text (a number or DfE's symbol):
-- int_benchmarks__published_figures reads them.
with current_snapshot as (
    {{ current_snapshot('raw_benchmarks', 'dfe_cla_placement_stability') }}
)

select
    cast(time_period as integer) as time_period,
    {{ normalise_code('geographic_level') }} as geographic_level,
    nullif(trim(region_code), '') as region_code,
    nullif(trim(region_name), '') as region_name,
    nullif(trim(old_la_code), '') as la_code,
    nullif(trim(new_la_code), '') as gss_code,
    nullif(trim(la_name), '') as la_name,
    nullif(trim(cla_group), '') as cla_group,
    nullif(trim(placement_stability), '') as placement_stability,
    nullif(trim(number), '') as number,
    nullif(trim(percentage), '') as percentage,
    _extract_date as extract_date
from current_snapshot
