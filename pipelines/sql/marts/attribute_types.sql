-- Each account attribute with its type, coverage and the kind of export it came from.
-- Grain: one row per attribute (key).
-- Reads: int_attributes_typed, stg_account_attributes, loads.
with typed as (
    select attribute_key, any_value(is_numeric) as is_numeric, count(*) as n_accounts,
           count(distinct value_text) as n_distinct
    from int_attributes_typed
    group by attribute_key
),

sources as (
    select a.attribute_key, list_sort(list(distinct l.kind)) as source_kinds
    from stg_account_attributes a
    join loads l using (load_id)
    group by a.attribute_key
)

select t.*, s.source_kinds from typed t left join sources s using (attribute_key)
