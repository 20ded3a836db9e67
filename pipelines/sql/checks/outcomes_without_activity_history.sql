-- Yes/no outcome events dated before any activity of their account was logged (no history to learn from).
-- Grain: one row per such dated event (zero rows = pass); undated one-row-per-account outcomes have no time order.
-- Reads: outcome_events, int_activities_counted, stg_activity_events, stg_activity_counts.
with first_period as (
    -- each account's first period with activity: one row per account, not one per event
    select account_id, min(period_on) as first_period
    from int_activities_counted
    where period_on is not null
    group by account_id
),

unclear as (
    -- an event 92 days or more after its account's first period (a quarter, the longest grain, spans at most
    -- 92 days) comes after an activity for sure; only the others need the day of the first activity
    select e.account_id, e.outcome_key, e.occurred_on
    from outcome_events e
    left join first_period f using (account_id)
    where e.occurred_on is not null
      and (f.first_period is null or f.first_period > e.occurred_on - interval 92 day)
),

first_activity as (
    select account_id, min(first_on) as first_on
    from (
        select account_id, min(occurred_on) as first_on
        from stg_activity_events
        where account_id in (select account_id from unclear)
        group by account_id
        union all
        select account_id, min(period_on)
        from stg_activity_counts
        where period_on is not null and account_id in (select account_id from unclear)
        group by account_id
    )
    group by account_id
)

select u.account_id, u.outcome_key, u.occurred_on
from unclear u
left join first_activity f using (account_id)
where f.first_on is null or f.first_on > u.occurred_on
