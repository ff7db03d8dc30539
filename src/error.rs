//! Library-level errors. Every error about an input names the file and, where it can, the line,
//! and says what was expected there. The binary prints them; the rest of a batch goes on.

use std::path::PathBuf;

/// An error a parser found in one file. The path is added by [`crate::ingest`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ParseError {
    /// 1-based line where the problem shows (the last line for a file that ends too early,
    /// 1 for an empty file).
    pub line: usize,
    /// What was found and what was expected, for people.
    pub message: String,
}

impl ParseError {
    /// Builds an error at `line`.
    pub(crate) fn new(line: usize, message: impl Into<String>) -> ParseError {
        ParseError { line, message: message.into() }
    }
}

/// An error about one input file.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The file could not be read.
    #[error("{}: could not read: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file is empty.
    #[error("{}:1: empty file (0 bytes): expected the output of one of: {known}", path.display())]
    Empty {
        /// The file.
        path: PathBuf,
        /// Names of the known parsers, comma separated.
        known: String,
    },
    /// No parser recognised the content.
    #[error(
        "{}:{line}: could not tell which tool wrote this file ({found}); expected output of \
         one of: {known}. Use --format to name the tool",
        path.display()
    )]
    Undetected {
        /// The file.
        path: PathBuf,
        /// First non-blank line, 1-based (1 when there is none).
        line: usize,
        /// A short quote of what the file starts with.
        found: String,
        /// Names of the known parsers, comma separated.
        known: String,
    },
    /// `--format` named a parser that does not exist.
    #[error("no parser named '{name}'; known: {known}")]
    UnknownFormat {
        /// The name given.
        name: String,
        /// Names of the known parsers.
        known: String,
    },
    /// The parser refused the file.
    #[error("{}:{}: {} output: {}", path.display(), inner.line, parser, inner.message)]
    Parse {
        /// The file.
        path: PathBuf,
        /// Parser that refused it.
        parser: &'static str,
        /// The parser's error.
        inner: ParseError,
    },
}

impl InputError {
    /// The file the error is about, when there is one.
    pub(crate) fn path(&self) -> Option<&std::path::Path> {
        match self {
            InputError::Read { path, .. }
            | InputError::Empty { path, .. }
            | InputError::Undetected { path, .. }
            | InputError::Parse { path, .. } => Some(path),
            InputError::UnknownFormat { .. } => None,
        }
    }
}

/// Nothing to read: the inputs hold no benchmark output at all (an empty folder, a wrong one, a
/// table without rows). Exit status 1, like an unreadable input: a run that read nothing must
/// not pass a CI gate.
#[derive(Debug, thiserror::Error)]
#[error("no benchmark output found: searched {searched}; expected the output of one of: {known}; a folder holding such outputs, or a table written by `virtperf ingest`")]
pub struct NoInput {
    /// What was searched, for people: `'runs/' (a folder: 0 files; hidden files and manifest.json are skipped)`.
    pub searched: String,
    /// Names of the known parsers, comma separated (from the registry).
    pub known: String,
}

impl NoInput {
    /// Describes `inputs` and what was found in each: `files[i]` files (or `rows[i]` table rows);
    /// `known` names the parsers.
    pub(crate) fn new(inputs: &[(PathBuf, String)], known: String) -> NoInput {
        let searched = inputs
            .iter()
            .map(|(p, what)| format!("'{}' ({what})", p.display()))
            .collect::<Vec<_>>()
            .join(", ");
        NoInput { searched, known }
    }
}
