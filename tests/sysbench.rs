//! sysbench: real outputs (../shared/realdata and tests/fixtures/sysbench) parsed to the values in the files.
#[allow(unused_imports)] use crate::util::*;
