-- Each activity type with its volume, reach, time span and logged minutes.
-- Grain: one row per activity type (key), events and pre-aggregated counts together.
--        The label is the type's most common spelling (rows; ties: the first alphabetically).
-- Reads: int_activity_labels, int_activity_reach.
with summed as (
    select
        activity_key,
        coalesce(first(activity_label order by n_rows desc, activity_label) filter (where activity_label is not null),
                 activity_key) as activity_label,
        sum(n_activities) as n_activities,
        min(first_on) as first_on,
        max(last_on) as last_on,
        sum(minutes) as minutes,
        sum(n_timed) as n_timed
    from int_activity_labels
    group by activity_key
)

select s.activity_key, s.activity_label, s.n_activities, r.n_accounts, s.first_on, s.last_on, s.minutes, s.n_timed
from summed s
join int_activity_reach r using (activity_key)
