-- Every team of every authority that supervises a household on the current register (any
-- status), so that each team has a scorecard row even when it has no approved households.
select distinct
    {{ team_key('la_code', 'team') }} as team_key,
    la_code,
    team
from {{ ref('stg_fostering__carer_households') }}
