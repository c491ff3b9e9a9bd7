-- The children in care scorecard for BI tools: one row per authority, period (each month end, and
-- each 903 year to 31 March) and measure, with the counts, the exact percentage, target, RAG and
-- the direction of travel from the previous period of the same type. Counts from
-- int_children_in_care_scorecard_measures (care and placement measures); names, targets,
-- thresholds and polarity from the measure_targets seed. A measure whose extract the authority
-- never delivered has no figure (NULL counts, percentage, RAG, direction) and value_status
-- not_delivered, never 0 % red.
with with_previous as (
    select
        scorecard.*,
        -- periods of a type are consecutive (month ends, or 903 years), so the previous row is the
        -- previous period
        lag(scorecard.numerator) over same_series as previous_numerator,
        lag(scorecard.denominator) over same_series as previous_denominator
    from {{ ref('int_children_in_care_scorecard_measures') }} as scorecard
    window same_series as (
        partition by scorecard.la_code, scorecard.period_type, scorecard.measure_code
        order by scorecard.period_end
    )
)

select
    with_previous.la_code,
    with_previous.period_type,
    with_previous.period_start,
    with_previous.period_end,
    with_previous.financial_year,
    with_previous.measure_code,
    measures.measure_name,
    measures.display_order,
    with_previous.numerator,
    with_previous.denominator,
    with_previous.not_known,
    with_previous.value_status,
    {{ percentage('with_previous.numerator', 'with_previous.denominator') }} as percentage,
    measures.target,
    {{ rag('with_previous.numerator', 'with_previous.denominator', 'measures.green_from', 'measures.amber_from',
           'measures.polarity') }} as rag,
    measures.polarity,
    {{ percentage('with_previous.previous_numerator', 'with_previous.previous_denominator') }} as previous_percentage,
    {{ direction_of_travel('with_previous.numerator', 'with_previous.denominator', 'with_previous.previous_numerator',
                           'with_previous.previous_denominator', 'measures.polarity') }} as direction_of_travel
from with_previous
inner join {{ ref('measure_targets') }} as measures
    on measures.measure_code = with_previous.measure_code
