-- Payoff's storage: the load log, rejected rows, saved mappings and the raw typed facts.
-- Grain: one row per loaded source row and fact (raw_*), one row per load (loads).
-- Reads: nothing; created once per database, idempotent.

create sequence if not exists load_id_seq start 1;

create table if not exists loads (
    load_id         integer primary key,
    file_name       varchar not null,
    source_path     varchar,
    archived_path   varchar,
    sha256          varchar not null,
    kind            varchar not null,
    mapping_json    varchar not null,
    rows_read       bigint not null,
    rows_loaded     bigint not null,
    rows_duplicate  bigint not null,
    rows_rejected   bigint not null,
    notes_json      varchar not null,
    loaded_at       timestamp not null,
    undone_at       timestamp
);

create table if not exists load_rejects (
    load_id      integer not null,
    file_name    varchar not null,
    row_number   bigint not null,
    column_name  varchar,
    value        varchar,
    reason       varchar not null
);

create table if not exists mappings (
    header_signature  varchar primary key,
    kind              varchar not null,
    mapping_json      varchar not null,
    saved_at          timestamp not null
);

create table if not exists raw_activity_events (
    load_id           integer not null,
    source_row        bigint not null,
    activity_id       varchar,
    account_id        varchar not null,
    activity_type     varchar not null,
    occurred_on       date not null,
    owner             varchar,
    duration_minutes  double
);

create table if not exists raw_activity_counts (
    load_id        integer not null,
    source_row     bigint not null,
    account_id     varchar not null,
    period_on      date,
    activity_type  varchar not null,
    n_activities   double not null
);

create table if not exists raw_activity_measures (
    load_id     integer not null,
    source_row  bigint not null,
    account_id  varchar not null,
    period_on   date,
    measure     varchar not null,
    value       double not null
);

create table if not exists raw_account_attributes (
    load_id       integer not null,
    source_row    bigint not null,
    account_id    varchar not null,
    attribute     varchar not null,
    value_text    varchar,
    value_number  double
);

create table if not exists raw_outcomes (
    load_id       integer not null,
    source_row    bigint not null,
    account_id    varchar not null,
    occurred_on   date,
    outcome       varchar not null,
    outcome_kind  varchar not null,
    value         double not null,
    event_id      varchar
);

-- Activity-event loads and how many of their rows replace rows of earlier loads (an activity id
-- loaded before). A load that replaces nothing only adds to the history, so the marts can take it
-- in without a full rebuild (pipelines/append.py); a load without a row here is always rebuilt.
create table if not exists load_supersedes (
    load_id  integer primary key,
    n_rows   bigint not null
);

-- Rows set aside by a load: they parse but belong to no account (an open deal, an internal task) or
-- name an account not loaded yet. Kept beside the rejected rows in load_rejects, with their reason;
-- read = loaded + duplicate + rejected + set aside. Databases made before this column get it here.
alter table loads add column if not exists rows_set_aside bigint default 0;

-- When each account was a customer, as an export says it (a subscription's start and cancellation).
-- Grain: one row per loaded source row; an account's span is read from every active load.
create table if not exists raw_account_spans (
    load_id     integer not null,
    source_row  bigint not null,
    account_id  varchar not null,
    started_on  date,
    ended_on    date
);

-- The default analysis (every outcome, the panel's grain, no filters), computed after each load,
-- undo and build so pages open without fitting (pipelines/snapshot.py). One row; its key names the
-- build of the panel and the analysis code it belongs to, and a row for another is never read.
create table if not exists analysis_snapshot (
    key         varchar not null,
    created_at  timestamp,
    seconds     double,
    payload     blob not null
);

-- Who changed the numbers and from where (pipelines/audit.py): every load, undo, rebuild and report,
-- with the signed-in user (browser) or the operating-system user (command line). Loads and undos
-- also carry it on their row of `loads`. Databases made before these columns get them here.
create table if not exists audit_log (
    happened_at  timestamp not null,
    who      varchar not null,
    via      varchar not null,
    action   varchar not null,   -- load | undo | rebuild | report
    load_id  integer,
    detail   varchar
);
alter table loads add column if not exists loaded_by varchar;
alter table loads add column if not exists loaded_via varchar;
alter table loads add column if not exists undone_by varchar;
alter table loads add column if not exists undone_via varchar;
