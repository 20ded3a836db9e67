-- When each account was a customer: from its first sign of being one to its end, with the rule used.
-- Grain: one row per account. ended_on is null while the account is still a customer; start_unseen when it
-- was one already when the data on it begin (started_on is then where they begin).
-- Reads: int_accounts_unioned, stg_account_spans, int_activities_counted, stg_activity_events,
--        stg_activity_counts, stg_outcomes, stg_activity_measures, int_periods_spanned.
with declared as (
    -- a start or end date an export gives (Stripe, Chargebee): the earliest start; an end only when
    -- every declared span of the account has ended
    select account_id,
           min(started_on) as declared_start,
           case when count(*) = count(ended_on) then max(ended_on) end as declared_end
    from stg_account_spans
    group by account_id
),

signs as (
    -- dated signs of being a customer: activity logged, an outcome or a non-zero amount, a measure
    select account_id, period_on as seen_on from int_activities_counted
    where period_on is not null and n_activities > 0
    union all
    select account_id, occurred_on from stg_outcomes
    where occurred_on is not null and (outcome_kind = 'binary' or value <> 0)
    union all
    select account_id, period_on from stg_activity_measures where period_on is not null
),

seen as (
    select account_id, min(seen_on) as first_seen_on, max(seen_on) as last_seen_on
    from signs
    group by account_id
),

load_records as (
    -- each load's dated records, by account
    select load_id, account_id, occurred_on as on_date from stg_activity_events
    union all
    select load_id, account_id, period_on from stg_activity_counts where period_on is not null
    union all
    select load_id, account_id, occurred_on from stg_outcomes where occurred_on is not null
    union all
    select load_id, account_id, period_on from stg_activity_measures where period_on is not null
),

data_begins as (
    -- the first period of the data that speaks of each account: the earliest start of the loads naming it.
    -- An account first seen there may have been a customer long before (another export can begin years
    -- earlier, so the panel's first period cannot tell).
    select r.account_id, min(l.load_begins_on) as data_begins_on
    from (select distinct load_id, account_id from load_records) r
    join (select load_id, date_trunc(getvariable('payoff_grain'), min(on_date))::date as load_begins_on
          from load_records group by load_id) l using (load_id)
    group by r.account_id
),

lost as (
    -- the last 'no' of a renewal-like yes/no outcome (or 'yes' of a churn-like one), unless a 'keep' follows
    select account_id,
           max(occurred_on) filter (where (is_churn and value = 1) or (not is_churn and value = 0)) as lost_on,
           max(occurred_on) filter (where (is_churn and value = 0) or (not is_churn and value = 1)) as kept_on
    from (
        select account_id, occurred_on, value, regexp_matches(outcome_key, 'churn|cancel|lost|left') as is_churn
        from stg_outcomes
        where outcome_kind = 'binary' and occurred_on is not null
          and regexp_matches(outcome_key, 'renew|retain|retention|stay|stayed|kept|churn|cancel|subscri')
    )
    group by account_id
),

data_end as (
    -- the last day the data covers: the end of the last period of the spine
    select (max(period_on) + getvariable('payoff_period_step')::interval - interval 1 day)::date as last_day
    from int_periods_spanned
),

spans as (
    select
        a.account_id,
        coalesce(d.declared_start, s.first_seen_on) as started_on,
        -- first seen in the first period of its data: a customer already then, its start unseen
        coalesce(d.declared_start is null
                 and date_trunc(getvariable('payoff_grain'), s.first_seen_on) <= b.data_begins_on,
                 false) as start_unseen,
        case when d.declared_start is not null then 'start date in an export'
             when s.first_seen_on is not null then 'first activity or outcome'
             else 'no dated record' end as start_rule,
        case when d.declared_end is not null then d.declared_end
             when l.lost_on is not null and (l.kept_on is null or l.lost_on >= l.kept_on) then l.lost_on
             when s.last_seen_on is not null
                  and s.last_seen_on + getvariable('payoff_grace_days')::integer < e.last_day
                 then s.last_seen_on end as ended_on,
        case when d.declared_end is not null then 'end date in an export'
             when l.lost_on is not null and (l.kept_on is null or l.lost_on >= l.kept_on) then 'did not renew'
             when s.last_seen_on is not null
                  and s.last_seen_on + getvariable('payoff_grace_days')::integer < e.last_day
                 then 'no sign of life for ' || getvariable('payoff_grace_days') || ' days before the data ends'
             else 'still a customer' end as end_rule,
        s.first_seen_on,
        s.last_seen_on
    from int_accounts_unioned a
    cross join data_end e
    left join declared d using (account_id)
    left join seen s using (account_id)
    left join lost l using (account_id)
    left join data_begins b using (account_id)
)

select
    account_id,
    started_on,
    case when start_unseen then 'a customer when its data begin' else start_rule end as start_rule,
    ended_on,
    end_rule,
    first_seen_on,
    last_seen_on,
    start_unseen
from spans
