-- Each activity type with its volume, reach, time span and logged minutes.
-- Grain: one row per activity type (key), events and pre-aggregated counts together.
-- Reads: stg_activity_events, stg_activity_counts, int_activities_counted.
with reach as (
    -- an account reached through events and through counts is one account; int_activities_counted holds
    -- every account × type pair of both (dated or not), already grouped by period: fewer rows to read
    select activity_key, count(distinct account_id) as n_accounts
    from int_activities_counted
    group by activity_key
),

from_events as (
    select
        activity_key,
        mode(activity_label) as activity_label,
        count(*)::double as n_activities,
        min(occurred_on) as first_on,
        max(occurred_on) as last_on,
        sum(duration_minutes) as minutes,
        count(duration_minutes) as n_timed
    from stg_activity_events
    group by activity_key
),

from_counts as (
    select
        activity_key,
        mode(activity_label) as activity_label,
        sum(n_activities) as n_activities,
        min(period_on) as first_on,
        max(period_on) as last_on,
        null::double as minutes,
        0 as n_timed
    from stg_activity_counts
    group by activity_key
),

combined as (
    select
        activity_key,
        coalesce(first(activity_label) filter (where activity_label is not null), activity_key) as activity_label,
        sum(n_activities) as n_activities,
        min(first_on) as first_on,
        max(last_on) as last_on,
        sum(minutes) as minutes,
        sum(n_timed) as n_timed
    from (select * from from_events union all select * from from_counts)
    group by activity_key
)

select c.activity_key, c.activity_label, c.n_activities, r.n_accounts, c.first_on, c.last_on, c.minutes, c.n_timed
from combined c
join reach r using (activity_key)
