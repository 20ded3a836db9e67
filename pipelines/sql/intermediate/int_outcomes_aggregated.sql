-- Outcomes per account and period: amounts and counts summed (zero inside each outcome's span),
-- yes/no events as number of events and number of positive ones (no event: no row).
-- Grain: one row per account × period × outcome (period_on null when undated).
-- Reads: stg_outcomes, int_accounts_unioned, int_periods_spanned.
with outcomes as (
    select
        account_id,
        date_trunc(getvariable('payoff_grain'), occurred_on)::date as period_on,
        outcome_key,
        outcome_kind,
        value
    from stg_outcomes
),

per_period as (
    select account_id, period_on, outcome_key, any_value(outcome_kind) as outcome_kind,
           sum(value::decimal(38, 9))::double as value, count(*) as n_events
    from outcomes
    group by account_id, period_on, outcome_key
),

spans as (
    select outcome_key, any_value(outcome_kind) as outcome_kind, min(period_on) as lo, max(period_on) as hi
    from per_period
    where period_on is not null and outcome_kind in ('amount', 'count')
    group by outcome_key
),

grid as (
    select a.account_id, p.period_on, s.outcome_key, s.outcome_kind
    from int_accounts_unioned a
    cross join int_periods_spanned p
    join spans s on p.period_on between s.lo and s.hi
),

filled as (
    select g.account_id, g.period_on, g.outcome_key, g.outcome_kind,
           coalesce(o.value, 0) as value, coalesce(o.n_events, 0) as n_events
    from grid g
    left join per_period o using (account_id, period_on, outcome_key)
),

other as (
    select account_id, period_on, outcome_key, outcome_kind, value, n_events
    from per_period
    where period_on is null or outcome_kind = 'binary'
)

select * from filled
union all
select * from other
