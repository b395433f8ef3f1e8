//! End-to-end tests of the `saasctl` binary: one test binary, one module per command.

mod common;
mod examples;
mod explain;
mod help;
mod plan_apply;
mod schema;
mod validate;
