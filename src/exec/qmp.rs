//! A minimal client of the QEMU Machine Protocol (QMP), enough to ask a booting VM what state
//! it is in (`query-status`): `running`, or stopped for good (`internal-error` after a KVM
//! failure, `guest-panicked`, `shutdown`). QEMU opens the socket with
//! `-qmp unix:PATH,server=on,wait=off`; the protocol is one JSON object per line: a greeting,
//! `{"execute":"qmp_capabilities"}`, then commands, with asynchronous events in between.
//!
//! Not a general QMP library: no other commands, no out-of-band execution; [`super::qemu`]
//! decides what a state means.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use serde_json::Value;

/// One line QEMU sent.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Reply {
    /// The greeting (`{"QMP": {"version": ...}}`), sent once on connect.
    Greeting,
    /// An asynchronous event (`{"event": "STOP", ...}`), by name.
    Event(String),
    /// The answer to a command (`{"return": ...}`).
    Return(Value),
    /// A command failed (`{"error": {"class": ..., "desc": ...}}`): class and description.
    Error(String, String),
}

/// Reads one QMP line. Returns an error for a line that is not JSON or not one of the four
/// kinds QMP sends.
pub(crate) fn parse_reply(line: &str) -> Result<Reply> {
    let v: Value = serde_json::from_str(line.trim())
        .with_context(|| format!("QMP sent a line that is not JSON: '{}'", line.trim()))?;
    if v.get("QMP").is_some() {
        return Ok(Reply::Greeting);
    }
    if let Some(e) = v.get("event") {
        return Ok(Reply::Event(e.as_str().unwrap_or_default().to_string()));
    }
    if let Some(r) = v.get("return") {
        return Ok(Reply::Return(r.clone()));
    }
    if let Some(e) = v.get("error") {
        let s = |k: &str| e.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
        return Ok(Reply::Error(s("class"), s("desc")));
    }
    bail!("QMP sent a line that is neither greeting, event, return nor error: '{}'", line.trim())
}

/// The run state in a `query-status` return (`{"status": "running", "running": true, ...}`).
pub(crate) fn status_of(ret: &Value) -> Option<String> {
    ret.get("status").and_then(Value::as_str).map(str::to_string)
}

/// A connection to one VM's QMP socket.
#[derive(Debug)]
pub(crate) struct Qmp {
    reader: BufReader<UnixStream>,
    writer: UnixStream,
}

impl Qmp {
    /// Connects to the socket at `path`, reads the greeting and leaves capabilities
    /// negotiation mode. Every read and write waits at most `timeout`.
    pub(crate) fn connect(path: &Path, timeout: Duration) -> Result<Qmp> {
        let stream = UnixStream::connect(path)
            .with_context(|| format!("could not connect to QMP socket '{}'", path.display()))?;
        stream.set_read_timeout(Some(timeout))?;
        stream.set_write_timeout(Some(timeout))?;
        let mut qmp = Qmp { reader: BufReader::new(stream.try_clone()?), writer: stream };
        match qmp.read()? {
            Reply::Greeting => {}
            other => bail!("QMP did not greet first: {other:?}"),
        }
        qmp.execute("qmp_capabilities")?;
        Ok(qmp)
    }

    fn read(&mut self) -> Result<Reply> {
        let mut line = String::new();
        if self.reader.read_line(&mut line).context("could not read from QMP")? == 0 {
            bail!("QMP closed the connection");
        }
        parse_reply(&line)
    }

    /// Runs `command` (no arguments) and returns its `return` value, skipping the events
    /// that arrive before it.
    pub(crate) fn execute(&mut self, command: &str) -> Result<Value> {
        let line = format!("{}\n", serde_json::json!({ "execute": command }));
        self.writer.write_all(line.as_bytes()).context("could not write to QMP")?;
        loop {
            match self.read()? {
                Reply::Return(v) => return Ok(v),
                Reply::Error(class, desc) => bail!("QMP {command}: {class}: {desc}"),
                Reply::Event(_) | Reply::Greeting => {}
            }
        }
    }

    /// The VM's run state (`running`, `paused`, `internal-error`, `guest-panicked`,
    /// `shutdown`, ...).
    pub(crate) fn query_status(&mut self) -> Result<String> {
        let ret = self.execute("query-status")?;
        status_of(&ret).with_context(|| format!("QMP query-status returned no status: {ret}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::net::UnixListener;

    // Lines as QEMU 7.2 (Debian 1:7.2+dfsg-7+deb12u18) sent them on this machine, and as QMP's
    // specification (docs/interop/qmp-spec) describes an error and an event.
    const GREETING: &str = r#"{"QMP": {"version": {"qemu": {"micro": 22, "minor": 2, "major": 7}, "package": "Debian 1:7.2+dfsg-7+deb12u18+b3"}, "capabilities": ["oob"]}}"#;
    const RUNNING: &str = r#"{"return": {"status": "running", "singlestep": false, "running": true}}"#;
    const STOP: &str = r#"{"timestamp": {"seconds": 1733540000, "microseconds": 1}, "event": "STOP"}"#;

    #[test]
    fn replies_are_told_apart() {
        assert_eq!(parse_reply(GREETING).unwrap(), Reply::Greeting);
        assert_eq!(parse_reply(STOP).unwrap(), Reply::Event("STOP".into()));
        let Reply::Return(r) = parse_reply(RUNNING).unwrap() else { panic!() };
        assert_eq!(status_of(&r).as_deref(), Some("running"));
        assert_eq!(
            parse_reply(
                r#"{"error": {"class": "CommandNotFound", "desc": "The command nope has not been found"}}"#
            )
            .unwrap(),
            Reply::Error("CommandNotFound".into(), "The command nope has not been found".into())
        );
        assert_eq!(parse_reply(r#"{"return": {}}"#).unwrap(), Reply::Return(serde_json::json!({})));
        assert!(parse_reply("not json").unwrap_err().to_string().contains("not JSON"));
        assert!(parse_reply(r#"{"what": 1}"#).is_err());
    }

    /// A one-client QMP server on a thread: greets, then answers each line with the next of
    /// `answers` (several lines each), and records what it was sent.
    fn serve(path: &Path, answers: Vec<Vec<&'static str>>) -> std::thread::JoinHandle<Vec<String>> {
        let listener = UnixListener::bind(path).unwrap();
        std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            let mut w = stream.try_clone().unwrap();
            let mut r = BufReader::new(stream);
            writeln!(w, "{GREETING}").unwrap();
            let mut got = Vec::new();
            for lines in answers {
                let mut l = String::new();
                if r.read_line(&mut l).unwrap() == 0 {
                    break;
                }
                got.push(l.trim().to_string());
                for a in lines {
                    writeln!(w, "{a}").unwrap();
                }
            }
            // Hold the connection until the client closes it.
            let mut rest = String::new();
            while r.read_line(&mut rest).unwrap_or(0) > 0 {}
            got
        })
    }

    #[test]
    fn query_status_negotiates_and_skips_events() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("q.sock");
        let internal = r#"{"return": {"status": "internal-error", "singlestep": false, "running": false}}"#;
        let server = serve(&path, vec![vec![r#"{"return": {}}"#], vec![STOP, internal]]);
        let mut q = Qmp::connect(&path, Duration::from_secs(5)).unwrap();
        assert_eq!(q.query_status().unwrap(), "internal-error");
        drop(q);
        let got = server.join().unwrap();
        assert_eq!(got, [r#"{"execute":"qmp_capabilities"}"#, r#"{"execute":"query-status"}"#]);
    }

    #[test]
    fn errors_and_silence_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("q.sock");
        let _server = serve(
            &path,
            vec![vec![r#"{"return": {}}"#], vec![r#"{"error": {"class": "GenericError", "desc": "no"}}"#]],
        );
        let mut q = Qmp::connect(&path, Duration::from_secs(5)).unwrap();
        assert!(q.query_status().unwrap_err().to_string().contains("GenericError: no"));
        // A server that greets and then says nothing: the read times out instead of hanging.
        let quiet = dir.path().join("quiet.sock");
        let _server = serve(&quiet, vec![vec![]]);
        let t = std::time::Instant::now();
        assert!(Qmp::connect(&quiet, Duration::from_millis(300)).is_err());
        assert!(t.elapsed() < Duration::from_secs(3));
        assert!(Qmp::connect(&dir.path().join("none.sock"), Duration::from_secs(1)).is_err());
    }
}
