-- ONS's mid-year estimate of children aged 0 to 17 per authority (the current ons_population_0_17
-- download): the denominator of the rates per 10,000 children, as DfE's children in need rates use it.
select
    la_code,
    time_period as mid_year,
    make_date(time_period, 6, 30) as mid_year_date,
    cast(population_0_to_17 as integer) as population_0_to_17
from {{ ref('stg_benchmarks__ons_population_0_17') }}
where geographic_level = 'local_authority'
    and population_0_to_17 ~ '^[0-9]+$'
