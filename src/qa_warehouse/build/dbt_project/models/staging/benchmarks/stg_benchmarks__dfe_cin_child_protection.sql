-- The current download of dfe_cin_child_protection (contract load/contracts/dfe_cin_child_protection.yml):
-- one row per geography, year. Indicators stay as published text (a number or DfE's symbol):
-- int_benchmarks__published_figures reads them.
with current_snapshot as (
    {{ current_snapshot('raw_benchmarks', 'dfe_cin_child_protection') }}
)

select
    cast(time_period as integer) as time_period,
    {{ normalise_code('geographic_level') }} as geographic_level,
    nullif(trim(region_code), '') as region_code,
    nullif(trim(region_name), '') as region_name,
    nullif(trim(old_la_code), '') as la_code,
    nullif(trim(new_la_code), '') as gss_code,
    nullif(trim(la_name), '') as la_name,
    nullif(trim(s47_count), '') as s47_count,
    nullif(trim(icpc_count), '') as icpc_count,
    nullif(trim(icpc_15_days_percent), '') as icpc_15_days_percent,
    nullif(trim(cpp_count), '') as cpp_count,
    nullif(trim(cpp_subsequent_percent), '') as cpp_subsequent_percent,
    _extract_date as extract_date
from current_snapshot
