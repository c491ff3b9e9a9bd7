-- Published from int_children_in_care_placement_moves_in_periods
-- (docs/children-in-care-permanence.md): counts and averages only, no child keys or dates of children.
select
    la_code,
    period_type,
    period_start,
    period_end,
    financial_year,
    reason_place_change,
    move_group,
    moves,
    children
from {{ ref('int_children_in_care_placement_moves_in_periods') }}
