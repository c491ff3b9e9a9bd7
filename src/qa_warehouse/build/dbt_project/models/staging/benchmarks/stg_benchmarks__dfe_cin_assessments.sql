-- The current download of dfe_cin_assessments (contract load/contracts/dfe_cin_assessments.yml):
-- one row per geography, year. Indicators stay as published text (a number or DfE's symbol):
-- int_benchmarks__published_figures reads them.
with current_snapshot as (
    {{ current_snapshot('raw_benchmarks', 'dfe_cin_assessments') }}
)

select
    cast(time_period as integer) as time_period,
    {{ normalise_code('geographic_level') }} as geographic_level,
    nullif(trim(region_code), '') as region_code,
    nullif(trim(region_name), '') as region_name,
    nullif(trim(old_la_code), '') as la_code,
    nullif(trim(new_la_code), '') as gss_code,
    nullif(trim(la_name), '') as la_name,
    nullif(trim(assessment_count), '') as assessment_count,
    nullif(trim(assessment_45_days_count), '') as assessment_45_days_count,
    nullif(trim(assessment_45_days_percent), '') as assessment_45_days_percent,
    _extract_date as extract_date
from current_snapshot
