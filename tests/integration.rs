//! The one integration test binary (`autotests = false`): real tool outputs in, checked values
//! out. Each module owns one part.

mod util;

mod cli;
mod command;
mod exec;
mod fio;
mod fuzz;
mod inputs;
mod iperf3;
mod labels;
mod pidstat;
mod redis_benchmark;
mod report;
mod stats;
mod store;
mod sysbench;
mod wrk;
