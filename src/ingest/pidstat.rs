//! pidstat output. (Stub: being written.)

use super::{ParseOptions, ParseOutput, Parser};
use crate::error::ParseError;

/// Reads pidstat output.
pub struct PidstatParser;

impl Parser for PidstatParser {
    fn name(&self) -> &'static str {
        "pidstat"
    }

    fn sniff(&self, _head: &str) -> bool {
        false
    }

    fn parse(&self, _text: &str, _opts: &ParseOptions) -> Result<ParseOutput, ParseError> {
        Err(ParseError::new(1, "not implemented yet"))
    }
}
