//! End-to-end tests of the `saasctl` binary: one test binary, one module per command.

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

#[path = "../support/apt.rs"]
mod apt;
mod common;
mod embedded;
mod examples;
mod explain;
mod help;
mod import;
mod installations;
mod logs;
#[path = "../support/mariadb.rs"]
mod mariadb;
mod mysql;
mod pipelines;
mod plan_apply;
#[path = "../support/python.rs"]
mod python;
mod schema;
mod secrets;
mod suppression;
mod troubleshooting;
mod validate;
