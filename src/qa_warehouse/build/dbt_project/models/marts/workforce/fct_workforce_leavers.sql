-- Each spell that ended by a leave date, with the month end it counts towards as a leaver: a
-- worker who left on day L is a leaver in the 12 months to every month end D with
-- (D - 12 months) < L <= D (month ends to month ends). No dates leave the marts.
select
    workers.la_code,
    workers.team,
    workers.worker_key,
    workers.contract,
    workers.fte,
    workers.leave_date
from {{ ref('stg_workforce__workers') }} as workers
where workers.leave_date is not null
