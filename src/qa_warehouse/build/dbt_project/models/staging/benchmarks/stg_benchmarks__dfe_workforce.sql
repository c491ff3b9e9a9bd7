-- The current download of dfe_workforce (contract load/contracts/dfe_workforce.yml):
-- one row per geography, year. Indicators stay as published text (a number or DfE's symbol):
-- int_benchmarks__published_figures reads them.
with current_snapshot as (
    {{ current_snapshot('raw_benchmarks', 'dfe_workforce') }}
)

select
    cast(time_period as integer) as time_period,
    {{ normalise_code('geographic_level') }} as geographic_level,
    nullif(trim(region_code), '') as region_code,
    nullif(trim(region_name), '') as region_name,
    nullif(trim(old_la_code), '') as la_code,
    nullif(trim(new_la_code), '') as gss_code,
    nullif(trim(la_name), '') as la_name,
    nullif(trim(inpost_fte), '') as inpost_fte,
    nullif(trim(turnover_rate_fte), '') as turnover_rate_fte,
    nullif(trim(agency_rate_fte), '') as agency_rate_fte,
    nullif(trim(vacancy_rate_fte), '') as vacancy_rate_fte,
    nullif(trim(caseload_fte), '') as caseload_fte,
    _extract_date as extract_date
from current_snapshot
