//! The exit codes of every `virtperf` command, in one place so that the commands, the
//! executor and the binary agree without importing each other.

/// Some input was bad (a file that did not parse, a run that failed); the rest was still
/// processed.
pub const EXIT_BAD_INPUT: u8 = 1;

/// A usage or fatal error: bad arguments or plan, an unreadable folder; nothing useful done.
pub const EXIT_FATAL: u8 = 2;

/// Stopped by Ctrl-C (SIGINT), SIGTERM or SIGHUP: 128 + SIGINT, as shells report it.
pub(crate) const EXIT_INTERRUPTED: u8 = 130;
