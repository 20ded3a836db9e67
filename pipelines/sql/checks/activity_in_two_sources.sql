-- Account × month × activity type found both as events and as pre-aggregated counts: likely double counting.
-- Grain: one row per such account × month × type (zero rows = pass).
-- Reads: stg_activity_events, stg_activity_counts.
with from_events as (
    select distinct account_id, date_trunc('month', occurred_on)::date as month_on, activity_key
    from stg_activity_events
),

from_counts as (
    select distinct account_id, date_trunc('month', period_on)::date as month_on, activity_key
    from stg_activity_counts
    where period_on is not null
)

select * from from_events join from_counts using (account_id, month_on, activity_key)
