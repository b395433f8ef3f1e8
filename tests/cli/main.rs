//! End-to-end tests of the `saasctl` binary: one test binary, one module per command.

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

mod apt;
mod common;
mod crash;
mod crates;
mod embedded;
mod emulator_process;
mod escape;
mod examples;
mod explain;
mod faults;
mod help;
mod image;
mod import;
mod installations;
mod keys;
mod logs;
mod loopback;
mod lsp;
mod magento;
mod mariadb;
mod mysql;
mod npm;
mod pipelines;
mod plan_apply;
mod python;
mod registry;
mod release;
mod schema;
mod secrets;
mod special_files;
mod suppression;
mod troubleshooting;
mod validate;
