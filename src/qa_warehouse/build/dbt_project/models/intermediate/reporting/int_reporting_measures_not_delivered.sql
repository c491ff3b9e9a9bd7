-- The measures each authority cannot be given a figure for, because an extract the measure is
-- counted from (seed measure_source_extracts) has never been delivered by it: no current accepted
-- load in raw.current_loads. Counting them would publish 0 % and red for a file nobody sent;
-- reporting.measure_values and reporting.children_in_care_scorecard publish them as not_delivered.
{%- set current_loads = [
    'stg_fostering__current_loads',
    'stg_quality_assurance__current_loads',
    'stg_children_in_care__current_loads',
    'stg_children_in_need__current_loads',
    'stg_workforce__current_loads',
    'stg_residential__current_loads',
    'stg_recruitment__current_loads',
] %}
with delivered as (
    {%- for model in current_loads %}
    select la_code, extract from {{ ref(model) }}
    {%- if not loop.last %}
    union
    {%- endif %}
    {%- endfor %}
),

authorities as (
    select distinct la_code from delivered
)

select
    authorities.la_code,
    sources.measure_code,
    string_agg(sources.extract, ', ' order by sources.extract) as missing_extracts
from authorities
cross join {{ ref('measure_source_extracts') }} as sources
where not exists (
    select 1 from delivered
    where delivered.la_code = authorities.la_code
        and delivered.extract = sources.extract
)
group by authorities.la_code, sources.measure_code
