-- The analysis panel: activity counts (n_*), measures (m_*), outcomes (o_*) and account attributes.
-- Grain: one row per account × period at the build grain (period_on null for undated tables).
--        Binary outcomes: o_<name> is the share of events that were 'yes', o_<name>_n the events.
--        Activity counts are 0, not null, in a period inside the activity data's span with none logged:
--        the build adds that (build.py, _with_activity_zeros), one column per dated activity type.
-- Reads: int_panel_values_unpivoted, int_accounts_unioned, int_periods_spanned, accounts.
with wide as (
    pivot int_panel_values_unpivoted on column_name using first(value) group by account_id, period_on
),

spine as (
    select a.account_id, p.period_on
    from int_accounts_unioned a cross join int_periods_spanned p
    union
    select distinct account_id, period_on from int_panel_values_unpivoted where period_on is null
),

panel as (
    select s.account_id, s.period_on, w.* exclude (account_id, period_on), acc.* exclude (account_id)
    from spine s
    left join wide w on w.account_id = s.account_id and w.period_on is not distinct from s.period_on
    left join accounts acc on acc.account_id = s.account_id
)

select * from panel
