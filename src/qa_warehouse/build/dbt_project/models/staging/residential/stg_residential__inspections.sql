-- Every Ofsted inspection of a home that any accepted childrens_homes delivery reported, one row
-- per home and inspection date. Each delivery holds only each home's latest inspection, so the
-- judgement in force at an earlier month end comes from the deliveries made then (raw keeps
-- every accepted delivery); where two deliveries disagree about one inspection, the newer wins.
with reported as (
    select
        {{ pseudonymise('home_id') }} as home_key,
        trim(la_code) as la_code,
        cast(last_inspection_date as date) as inspection_date,
        {{ normalise_code('inspection_judgement') }} as inspection_judgement,
        _extract_date as extract_date,
        _load_id as load_id
    from {{ source('raw_residential', 'childrens_homes') }}
    where last_inspection_date is not null
),

newest_first as (
    select
        *,
        row_number() over (partition by home_key, inspection_date order by extract_date desc, load_id desc)
            as report_number
    from reported
)

select home_key, la_code, inspection_date, inspection_judgement, extract_date as reported_as_at
from newest_first
where report_number = 1
