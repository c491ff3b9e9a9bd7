-- One row per worker spell in post at each month end (DfE workforce census: in post on the day):
-- started on or before the month end and not left by it (leave date null or after it).
select
    month_ends.la_code,
    month_ends.period_end,
    month_ends.is_shown,
    month_ends.is_latest,
    workers.team,
    workers.worker_key,
    workers.contract,
    workers.fte,
    workers.caseload
from {{ ref('int_workforce_month_ends') }} as month_ends
inner join {{ ref('stg_workforce__workers') }} as workers
    on workers.la_code = month_ends.la_code
    and workers.start_date <= month_ends.period_end
    and (workers.leave_date is null or workers.leave_date > month_ends.period_end)
