//! fio output. (Stub: being written.)

use super::{ParseOptions, ParseOutput, Parser};
use crate::error::ParseError;

/// Reads fio output.
pub struct FioParser;

impl Parser for FioParser {
    fn name(&self) -> &'static str {
        "fio"
    }

    fn sniff(&self, _head: &str) -> bool {
        false
    }

    fn parse(&self, _text: &str, _opts: &ParseOptions) -> Result<ParseOutput, ParseError> {
        Err(ParseError::new(1, "not implemented yet"))
    }
}
