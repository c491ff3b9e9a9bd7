-- Per authority and measure, how many subjects (children, households...; rows where an extract
-- names no subject) the data-quality policy held out of the current deliveries of the extracts the
-- measure is counted from (seed measure_source_extracts): its figures are computed without them.
with held as (
    select
        la_code,
        extract,
        coalesce(subject, load_id || ':' || source_row) as held_subject
    from {{ ref('stg_data_quality__held_rows') }}
)

select
    held.la_code,
    sources.measure_code,
    count(distinct held.extract || ':' || held.held_subject) as held_back
from held
inner join {{ ref('measure_source_extracts') }} as sources
    on sources.extract = held.extract
group by held.la_code, sources.measure_code
