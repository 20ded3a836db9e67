-- Account × month × activity type found both as events and as pre-aggregated counts: likely double counting.
-- Grain: one row per such account × month × type (zero rows = pass).
-- Reads: stg_activity_events, stg_activity_counts.
with from_counts as (
    select distinct account_id, date_trunc('month', period_on)::date as month_on, activity_key
    from stg_activity_counts
    where period_on is not null
),

from_events as (
    -- only events that can meet a count: most databases have no counts, and then this reads nothing
    select distinct e.account_id, date_trunc('month', e.occurred_on)::date as month_on, e.activity_key
    from stg_activity_events e
    semi join from_counts c
        on c.account_id = e.account_id and c.activity_key = e.activity_key
        and c.month_on = date_trunc('month', e.occurred_on)::date
)

select * from from_events join from_counts using (account_id, month_on, activity_key)
