-- Activities counted per account and period, from events and from pre-aggregated exports.
-- Grain: one row per account × period × activity type with any activity (period_on null when undated).
-- Reads: stg_activity_events, stg_activity_counts, of the loads after payoff_loads_after (all in a full
--        build; only the new ones when appending, see pipelines/append.py).
with events_per_period as (
    select
        account_id,
        date_trunc(getvariable('payoff_grain'), occurred_on)::date as period_on,
        activity_key,
        count(*)::double as n_activities,
        sum(duration_minutes::decimal(38, 9))::double as minutes,
        count(duration_minutes) as n_timed
    from stg_activity_events
    where load_id > coalesce(getvariable('payoff_loads_after'), 0)
    group by all
),

counts_per_period as (
    select
        account_id,
        date_trunc(getvariable('payoff_grain'), period_on)::date as period_on,
        activity_key,
        sum(n_activities) as n_activities,
        null::double as minutes,
        0 as n_timed
    from stg_activity_counts
    where load_id > coalesce(getvariable('payoff_loads_after'), 0)
    group by all
),

combined as (
    select account_id, period_on, activity_key,
           sum(n_activities) as n_activities, sum(minutes::decimal(38, 9))::double as minutes, sum(n_timed)::bigint as n_timed
    from (
        select * from events_per_period
        union all
        select * from counts_per_period
    )
    group by all
)

select * from combined
