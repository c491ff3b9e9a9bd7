-- The current download of dfe_cin_rates (contract load/contracts/dfe_cin_rates.yml):
-- one row per geography, year. Indicators stay as published text (a number or DfE's symbol):
-- int_benchmarks__published_figures reads them.
with current_snapshot as (
    {{ current_snapshot('raw_benchmarks', 'dfe_cin_rates') }}
)

select
    cast(time_period as integer) as time_period,
    {{ normalise_code('geographic_level') }} as geographic_level,
    nullif(trim(region_code), '') as region_code,
    nullif(trim(region_name), '') as region_name,
    nullif(trim(old_la_code), '') as la_code,
    nullif(trim(new_la_code), '') as gss_code,
    nullif(trim(la_name), '') as la_name,
    nullif(trim(referral_rate), '') as referral_rate,
    nullif(trim(cin_rate), '') as cin_rate,
    nullif(trim(cpp_rate), '') as cpp_rate,
    _extract_date as extract_date
from current_snapshot
