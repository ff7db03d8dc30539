//! fio: real outputs (../shared/realdata and tests/fixtures/fio) parsed to the values in the files.
#[allow(unused_imports)] use crate::util::*;
