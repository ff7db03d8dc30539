//! pidstat: real outputs (../shared/realdata and tests/fixtures/pidstat) parsed to the values in the files.
#[allow(unused_imports)] use crate::util::*;
