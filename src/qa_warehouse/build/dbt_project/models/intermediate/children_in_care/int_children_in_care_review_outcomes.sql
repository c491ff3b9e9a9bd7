-- Reviews of the care plan (Care Planning, Placement and Case Review Regulations 2010, reg 33)
-- for each child looked after at D. Within the current period of care the first review is due
-- within 20 working days of the start, the second within 3 months of the first and each later one
-- within 6 months of the one before (each due date runs from the review actually held). In time
-- when every review held in the 12 months to D was held by its due date and the next review is not
-- overdue at D (its due date is D or later); not yet due while the first review is not yet due and
-- none has been held. Working days exclude weekends and England bank holidays. Timescales: seed
-- children_in_care_care_timescales.
with cohort as (
    select * from {{ ref('int_children_in_care_care_cohort') }}
),

care_starts as (
    select distinct period_of_care_start from cohort
),

first_review_due as (
    select
        period_of_care_start,
        {{ nth_working_day_after('period_of_care_start',
                                 children_in_care_timescale('first_review_within', as_length=true)) }}
            as first_review_due
    from care_starts
),

reviews as (
    select distinct la_code, child_key, review_date
    from {{ ref('stg_children_in_care__reviews') }}
    where review_date is not null
),

held as (
    select
        cohort.la_code,
        cohort.period_type,
        cohort.period_end,
        cohort.child_key,
        reviews.review_date,
        row_number() over by_child_at_d as review_number,
        lag(reviews.review_date) over by_child_at_d as previous_review_date
    from cohort
    inner join reviews
        on reviews.la_code = cohort.la_code
        and reviews.child_key = cohort.child_key
        and reviews.review_date between cohort.period_of_care_start and cohort.period_end
    window by_child_at_d as (
        partition by cohort.la_code, cohort.period_type, cohort.period_end, cohort.child_key
        order by reviews.review_date
    )
),

held_with_due as (
    select
        held.*,
        case
            when held.review_number = 1 then due.first_review_due
            when held.review_number = 2
                then cast(held.previous_review_date + {{ children_in_care_timescale('second_review_within') }} as date)
            else cast(held.previous_review_date + {{ children_in_care_timescale('later_review_within') }} as date)
        end as due_date
    from held
    inner join cohort
        on cohort.la_code = held.la_code
        and cohort.period_type = held.period_type
        and cohort.period_end = held.period_end
        and cohort.child_key = held.child_key
    inner join first_review_due as due
        on due.period_of_care_start = cohort.period_of_care_start
),

per_child as (
    select
        la_code,
        period_type,
        period_end,
        child_key,
        count(*) as reviews_held,
        max(review_date) as last_review_date,
        bool_or(review_date > due_date
            and review_date > period_end - {{ children_in_care_timescale('lookback') }}) as late_in_lookback
    from held_with_due
    group by la_code, period_type, period_end, child_key
),

judged as (
    select
        cohort.la_code,
        cohort.period_type,
        cohort.period_start,
        cohort.period_end,
        cohort.child_key,
        cohort.period_of_care_start,
        coalesce(per_child.reviews_held, 0) as reviews_held,
        per_child.last_review_date,
        coalesce(per_child.late_in_lookback, false) as late_in_lookback,
        case coalesce(per_child.reviews_held, 0)
            when 0 then due.first_review_due
            when 1 then
                cast(per_child.last_review_date + {{ children_in_care_timescale('second_review_within') }} as date)
            else cast(per_child.last_review_date + {{ children_in_care_timescale('later_review_within') }} as date)
        end as next_review_due
    from cohort
    inner join first_review_due as due
        on due.period_of_care_start = cohort.period_of_care_start
    left join per_child
        on per_child.la_code = cohort.la_code
        and per_child.period_type = cohort.period_type
        and per_child.period_end = cohort.period_end
        and per_child.child_key = cohort.child_key
)

select
    judged.*,
    case
        when judged.reviews_held = 0 and judged.next_review_due >= judged.period_end then 'not_yet_due'
        when judged.late_in_lookback or judged.next_review_due < judged.period_end then 'out_of_time'
        else 'in_time'
    end as outcome
from judged
