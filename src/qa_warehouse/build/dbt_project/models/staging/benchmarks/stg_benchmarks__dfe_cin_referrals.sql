-- The current download of dfe_cin_referrals (contract load/contracts/dfe_cin_referrals.yml):
-- one row per geography, year and breakdown. Indicators stay as published text (a number or DfE's symbol):
-- int_benchmarks__published_figures reads them.
with current_snapshot as (
    {{ current_snapshot('raw_benchmarks', 'dfe_cin_referrals') }}
)

select
    cast(time_period as integer) as time_period,
    {{ normalise_code('geographic_level') }} as geographic_level,
    nullif(trim(region_code), '') as region_code,
    nullif(trim(region_name), '') as region_name,
    nullif(trim(old_la_code), '') as la_code,
    nullif(trim(new_la_code), '') as gss_code,
    nullif(trim(la_name), '') as la_name,
    nullif(trim(category), '') as category,
    nullif(trim(referral_count), '') as referral_count,
    nullif(trim(rereferral_count), '') as rereferral_count,
    nullif(trim(rereferral_percent), '') as rereferral_percent,
    nullif(trim(no_further_action_percent), '') as no_further_action_percent,
    _extract_date as extract_date
from current_snapshot
