-- Published from int_children_in_care_permanence_in_periods
-- (docs/children-in-care-permanence.md): counts and averages only, no child keys or dates of children.
select
    la_code,
    period_type,
    period_start,
    period_end,
    financial_year,
    children_adopted,
    adopted_within_14_months,
    average_days_entering_care_to_moving_in,
    average_days_entering_care_to_adoption_order,
    average_days_moving_in_to_adoption_order,
    special_guardianship_orders,
    child_arrangements_orders,
    placed_for_adoption_at_period_end
from {{ ref('int_children_in_care_permanence_in_periods') }}
