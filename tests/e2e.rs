//! End-to-end tests: the real `channelhub` binary, started on a generated config in a temporary
//! folder, against fake partners on 127.0.0.1. One test binary; one module per area.
//!
//! `cargo test --test e2e` runs them on SQLite. With `TEST_DATABASE_URL` (for example
//! `postgres://root@127.0.0.1:5432/test`) the core suite also runs on a fresh PostgreSQL
//! database per test, plus the several-instances tests.

#[path = "e2e/acks.rs"]
mod acks;
#[path = "e2e/cli.rs"]
mod cli;
#[path = "e2e/crash.rs"]
mod crash;
#[path = "e2e/delivery.rs"]
mod delivery;
#[path = "e2e/http_in.rs"]
mod http_in;
#[path = "e2e/partner.rs"]
mod partner;
#[path = "e2e/postgres.rs"]
mod postgres;
#[path = "e2e/split.rs"]
mod split;
#[path = "e2e/support.rs"]
mod support;
#[path = "e2e/x12_out.rs"]
mod x12_out;
#[path = "e2e/xml.rs"]
mod xml;
