-- The current download of dfe_care_leavers (contract load/contracts/dfe_care_leavers.yml):
-- one row per geography, year and breakdown. Indicators stay as published text (a number or DfE's symbol):
-- int_benchmarks__published_figures reads them.
with current_snapshot as (
    {{ current_snapshot('raw_benchmarks', 'dfe_care_leavers') }}
)

select
    cast(time_period as integer) as time_period,
    {{ normalise_code('geographic_level') }} as geographic_level,
    nullif(trim(region_code), '') as region_code,
    nullif(trim(region_name), '') as region_name,
    nullif(trim(old_la_code), '') as la_code,
    nullif(trim(new_la_code), '') as gss_code,
    nullif(trim(la_name), '') as la_name,
    nullif(trim(care_leaver_age), '') as care_leaver_age,
    nullif(trim(breakdown_topic), '') as breakdown_topic,
    nullif(trim(breakdown), '') as breakdown,
    nullif(trim(care_leaver_count), '') as care_leaver_count,
    nullif(trim(care_leaver_percent), '') as care_leaver_percent,
    _extract_date as extract_date
from current_snapshot
