//! sysbench output. (Stub: being written.)

use super::{ParseOptions, ParseOutput, Parser};
use crate::error::ParseError;

/// Reads sysbench output.
pub struct SysbenchParser;

impl Parser for SysbenchParser {
    fn name(&self) -> &'static str {
        "sysbench"
    }

    fn sniff(&self, _head: &str) -> bool {
        false
    }

    fn parse(&self, _text: &str, _opts: &ParseOptions) -> Result<ParseOutput, ParseError> {
        Err(ParseError::new(1, "not implemented yet"))
    }
}
