-- The rows held out of modelling, per load, with the load's extract and authority.
select
    held.load_id,
    held.source_row,
    held.subject,
    held.held_by,
    current_loads.extract,
    current_loads.la_code
from {{ source('raw', 'held_rows') }} as held
inner join {{ source('raw', 'current_loads') }} as current_loads
    on current_loads.load_id = held.load_id
