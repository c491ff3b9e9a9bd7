-- Foster carer households on the current register, pseudonymised: no source ids, names or full
-- postcodes.
select
    household_key,
    la_code,
    team,
    {{ team_key('la_code', 'team') }} as team_key,
    carer_type,
    status,
    approval_date,
    deregistration_date,
    approved_places,
    postcode_district,
    supervising_worker_key
from {{ ref('stg_fostering__carer_households') }}
