//! virtperf: turns raw benchmark outputs (sysbench, fio, wrk, pidstat) from bare metal,
//! containers and virtual machines into tidy tables, statistics and overhead reports.
//!
//! The pipeline is `ingest` (parsers, labels) → `model` (tidy records and frames) → analysis →
//! reports. The binary in `main.rs` is a thin shell over [`commands::run`].
#![warn(missing_docs)]

pub mod analyse;
pub mod cli;
pub mod commands;
pub mod digest;
pub mod error;
pub mod exec;
pub mod ingest;
pub mod label;
pub mod model;
pub mod report;
pub mod stats;
pub(crate) mod store;
pub(crate) mod table;
pub(crate) mod text;
