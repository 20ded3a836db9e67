-- When each account was a customer: from its first sign of being one to its end, with the rule used.
-- Grain: one row per account. ended_on is null while the account is still a customer.
-- Reads: int_accounts_unioned, stg_account_spans, int_activities_counted, stg_outcomes, stg_activity_measures,
--        int_periods_spanned.
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
)

select * from spans
