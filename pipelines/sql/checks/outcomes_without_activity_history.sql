-- Yes/no outcome events dated before any activity of their account was logged (no history to learn from).
-- Grain: one row per such dated event (zero rows = pass); undated one-row-per-account outcomes have no time order.
-- Reads: outcome_events, stg_activity_events, stg_activity_counts.
with first_activity as (
    select account_id, min(first_on) as first_on
    from (
        select account_id, min(occurred_on) as first_on from stg_activity_events group by account_id
        union all
        select account_id, min(period_on) from stg_activity_counts where period_on is not null group by account_id
    )
    group by account_id
)

select e.account_id, e.outcome_key, e.occurred_on
from outcome_events e
left join first_activity f using (account_id)
where e.occurred_on is not null
  and (f.first_on is null or f.first_on > e.occurred_on)
