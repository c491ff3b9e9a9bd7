-- England's workforce figures per census (30 September): from the loaded dfe_workforce benchmark
-- file's England row where it holds the census, else from the seed workforce_national_reference
-- (copied from the same DfE file). workforce_monthly sets the latest census on or before each month end.
with from_file as (
    select
        indicators.measure_code,
        make_date(published.time_period, indicators.year_end_month, indicators.year_end_day) as census_date,
        published.published_value as england_value
    from {{ ref('int_benchmarks__published_figures') }} as published
    inner join {{ ref('benchmark_indicators') }} as indicators
        on indicators.extract = published.extract
        and indicators.breakdown = published.breakdown
        and indicators.indicator = published.indicator
    where published.extract = 'dfe_workforce'
        and published.geographic_level = 'national'
        and indicators.measure_code in (
            'workforce_agency_rate', 'workforce_turnover_rate', 'workforce_vacancy_rate', 'workforce_average_caseload'
        )
)

select measure_code, census_date, england_value, 'dfe_workforce' as source
from from_file
union all
select seed.measure_code, seed.census_date, seed.england_value, 'workforce_national_reference' as source
from {{ ref('workforce_national_reference') }} as seed
where not exists (
    select 1 from from_file
    where from_file.measure_code = seed.measure_code and from_file.census_date = seed.census_date
)
