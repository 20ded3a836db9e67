-- Each activity type's label texts (as the exports spell them) with their volume, span and logged minutes.
-- Grain: one row per activity key × label text, events and pre-aggregated counts together.
-- Reads: stg_activity_events, stg_activity_counts, of the loads after payoff_loads_after (all in a full
--        build; only the new ones when appending, see pipelines/append.py).
with from_events as (
    select
        activity_key,
        activity_label,
        count(*) as n_rows,
        count(*)::double as n_activities,
        min(occurred_on) as first_on,
        max(occurred_on) as last_on,
        sum(duration_minutes::decimal(38, 9))::double as minutes,
        count(duration_minutes) as n_timed
    from stg_activity_events
    where load_id > coalesce(getvariable('payoff_loads_after'), 0)
    group by activity_key, activity_label
),

from_counts as (
    select
        activity_key,
        activity_label,
        count(*) as n_rows,
        sum(n_activities) as n_activities,
        min(period_on) as first_on,
        max(period_on) as last_on,
        null::double as minutes,
        0 as n_timed
    from stg_activity_counts
    where load_id > coalesce(getvariable('payoff_loads_after'), 0)
    group by activity_key, activity_label
),

combined as (
    select
        activity_key,
        activity_label,
        sum(n_rows)::bigint as n_rows,
        sum(n_activities) as n_activities,
        min(first_on) as first_on,
        max(last_on) as last_on,
        sum(minutes::decimal(38, 9))::double as minutes,
        sum(n_timed)::bigint as n_timed
    from (select * from from_events union all select * from from_counts)
    group by activity_key, activity_label
)

select * from combined
