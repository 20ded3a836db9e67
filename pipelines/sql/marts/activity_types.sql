-- Each activity type with its volume, reach, time span and logged minutes.
-- Grain: one row per activity type (key), events and pre-aggregated counts together.
--        The label is the type's most common spelling (rows; ties: the first alphabetically).
-- Reads: int_activity_labels, int_activity_reach.
with labelled as (
    -- the most common spelling of each key: most rows first, then alphabetically; a spelled label before none
    select activity_key, activity_label,
           row_number() over (partition by activity_key
                              order by activity_label is null, n_rows desc, activity_label) as label_rank
    from int_activity_labels
),

summed as (
    select
        activity_key,
        sum(n_activities) as n_activities,
        min(first_on) as first_on,
        max(last_on) as last_on,
        sum(minutes::decimal(38, 9))::double as minutes,
        sum(n_timed)::bigint as n_timed
    from int_activity_labels
    group by activity_key
)

select s.activity_key, coalesce(l.activity_label, s.activity_key) as activity_label, s.n_activities, r.n_accounts,
       s.first_on, s.last_on, s.minutes, s.n_timed
from summed s
join labelled l on l.activity_key = s.activity_key and l.label_rank = 1
join int_activity_reach r on r.activity_key = s.activity_key
