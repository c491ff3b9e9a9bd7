-- Every dated event that can put a household in time for a "latest event within N of D" measure,
-- labelled with that measure. The mapping from the source's visit, supervision and review
-- records to measures lives here and nowhere else.
select
    'carer_visits' as event_source,
    visit_key as event_key,
    household_key,
    case visit_type
        when 'support' then 'support_visits'
        when 'unannounced' then 'unannounced_visits'
        when 'kit_call' then 'kit_call'
    end as measure_code,
    visit_date as event_date
from {{ ref('stg_fostering__carer_visits') }}
where visit_type in ('support', 'unannounced', 'kit_call')

union all

select
    'carer_supervisions' as event_source,
    supervision_key as event_key,
    household_key,
    case supervision_type
        when 'formal' then 'formal_supervision'
        when 'management' then 'management_supervision'
    end as measure_code,
    supervision_date as event_date
from {{ ref('stg_fostering__carer_supervisions') }}
where supervision_type in ('formal', 'management')

union all

select
    'carer_reviews' as event_source,
    review_key as event_key,
    household_key,
    'annual_review' as measure_code,
    review_date as event_date
from {{ ref('stg_fostering__carer_reviews') }}
