//! wrk output. (Stub: being written.)

use super::{ParseOptions, ParseOutput, Parser};
use crate::error::ParseError;

/// Reads wrk output.
pub struct WrkParser;

impl Parser for WrkParser {
    fn name(&self) -> &'static str {
        "wrk"
    }

    fn sniff(&self, _head: &str) -> bool {
        false
    }

    fn parse(&self, _text: &str, _opts: &ParseOptions) -> Result<ParseOutput, ParseError> {
        Err(ParseError::new(1, "not implemented yet"))
    }
}
