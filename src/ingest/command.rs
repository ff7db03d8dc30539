//! The output of a `command` workload of `virtperf run` whose plan declares what it measures
//! (`[workload.measure]`, recorded in `manifest.json` as the run's `measure`: a metric name with
//! its unit, a direction, and a regular expression that finds the value). Such an output has no
//! format of its own, so no sniff finds it: the ingester reads an output with this parser when
//! its labels carry a measure ([`crate::model::Labels::measure`]), whatever else it looks like.
//! It is one run, workload `cmd.<the plan's workload name>`, with the one declared metric, its
//! primary one; the last match of the pattern is the value. Not here: outputs without a
//! measure (they stay unrecognised unless a parser sniffs them), params (the output prints
//! none that the pattern knows of).

use std::borrow::Cow;

use super::{text, ParseOptions, ParseOutput, Parser};
use crate::error::ParseError;
use crate::model::manifest::Measure;
use crate::model::{Metric, Run};

/// Tool name of every run of a measured command, and this parser's name.
pub(crate) const TOOL: &str = "command";

/// Reads the output of one measured command: the measure and the workload it declares.
pub(crate) struct CommandParser {
    measure: Measure,
    workload: String,
}

impl CommandParser {
    /// The parser of the output of a run of plan workload `plan_workload` that declares
    /// `measure`.
    pub(crate) fn new(measure: Measure, plan_workload: &str) -> CommandParser {
        CommandParser { measure, workload: workload_of(plan_workload) }
    }
}

/// The workload of a measured command of the plan's workload `name`: `cmd.<name>`.
pub(crate) fn workload_of(name: &str) -> String {
    format!("cmd.{name}")
}

impl Parser for CommandParser {
    fn name(&self) -> &'static str {
        TOOL
    }

    /// Returns true if and only if ... never: a command's output has no format of its own to
    /// recognise. The ingester chooses this parser from the manifest's measure, not by content.
    fn sniff(&self, _head: &str) -> bool {
        false
    }

    fn parse(&self, text: &str, _opts: &ParseOptions) -> Result<ParseOutput, ParseError> {
        parse(text, &self.measure, &self.workload)
    }
}

/// Reads the declared metric in `text`.
fn parse(text: &str, measure: &Measure, workload: &str) -> Result<ParseOutput, ParseError> {
    let declared = || {
        format!("the pattern '{}' that manifest.json declares for metric {}", measure.pattern, measure.metric)
    };
    let re = regex::RegexBuilder::new(&measure.pattern).multi_line(true).crlf(true).build().map_err(|e| {
        // regex's message draws the pattern with a caret over lines; its last line says what.
        let what = e.to_string();
        let what = what.lines().last().unwrap_or("").trim().trim_start_matches("error: ").to_string();
        ParseError::new(1, format!("{} is not a regular expression: {what}", declared()))
    })?;
    if re.captures_len() < 2 {
        return Err(ParseError::new(1, format!("{} has no capture group ( ) around the number", declared())));
    }
    if measure.metric.trim().is_empty() {
        return Err(ParseError::new(1, "the measure manifest.json declares has no metric name"));
    }
    let last = re.captures_iter(text).filter_map(|c| c.get(1)).last();
    let Some(capture) = last else {
        let first = text.lines().map(str::trim).find(|l| !l.is_empty());
        let starts = match first {
            Some(l) => format!("the output starts with {}", text::quote(l)),
            None => "the output is empty".to_string(),
        };
        let line = text::numbered_lines(text).find(|(_, l)| !l.trim().is_empty()).map_or(1, |(n, _)| n);
        return Err(ParseError::new(line, format!("no match of {}; {starts}", declared())));
    };
    let line = memchr::memchr_iter(b'\n', &text.as_bytes()[..capture.start()]).count() + 1;
    let Some(value) = text::num(capture.as_str()) else {
        return Err(ParseError::new(
            line,
            format!(
                "the pattern's capture at line {line} is {}, which is not a number",
                text::quote(capture.as_str())
            ),
        ));
    };
    let mut run = Run::new(TOOL, workload, 1);
    run.last_line = text::numbered_lines(text).last().map_or(1, |(n, _)| n);
    let name = measure.metric.trim().to_string();
    run.push_metric(Metric::new(name.clone(), measure.unit.clone(), measure.better, value));
    run.primary = Some(Cow::Owned(name));
    Ok(ParseOutput { runs: vec![run], warnings: Vec::new() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Better;
    use proptest::prelude::*;

    const FORK: &str = include_str!("../../tests/fixtures/command/forkloop-native-1.txt");
    const SWEEP: &str = include_str!("../../tests/fixtures/command/memsweep-docker-1.txt");

    fn measure(pattern: &str) -> Measure {
        Measure { metric: "m".into(), unit: "u".into(), better: Better::Higher, pattern: pattern.into() }
    }

    #[test]
    fn the_last_match_and_its_line() {
        // memsweep-docker-1.txt: "size  16 MiB: 1.743 GiB/s (16 passes)" (line 3),
        // "size  64 MiB: 2.009 GiB/s (4 passes)" (line 4)
        let out = parse(SWEEP, &measure(r"MiB: ([0-9.]+) GiB/s"), "cmd.x").expect("parse");
        assert_eq!(out.runs[0].metric("m"), Some(2.009));
        assert_eq!((out.runs[0].first_line, out.runs[0].last_line), (1, 5));
        let out = parse(SWEEP, &measure(r"^size +16 MiB: ([0-9.]+)"), "cmd.x").expect("parse");
        assert_eq!(out.runs[0].metric("m"), Some(1.743));
        // `$` at the end of a CRLF line.
        let crlf = SWEEP.replace('\n', "\r\n");
        let out = parse(&crlf, &measure(r"\(([0-9]+) passes\)$"), "cmd.x").expect("parse");
        assert_eq!(out.runs[0].metric("m"), Some(4.0));
    }

    #[test]
    fn errors() {
        let err = parse(FORK, &measure("nothing: ([0-9]+)"), "cmd.x").expect_err("no match");
        assert_eq!(err.line, 1);
        assert!(err.message.ends_with("the output starts with 'forks: 2000'"), "{}", err.message);
        let err = parse("\n\n", &measure("([0-9]+)"), "cmd.x").expect_err("empty");
        assert!(err.message.ends_with("the output is empty"), "{}", err.message);
        let err = parse(FORK, &measure("elapsed: (.+)"), "cmd.x").expect_err("not a number");
        assert_eq!(err.line, 2);
        // forkloop-native-1.txt, line 2: "elapsed: 1.359847 s"
        assert_eq!(err.message, "the pattern's capture at line 2 is '1.359847 s', which is not a number");
        let mut m = measure("([0-9]+)");
        m.metric = " ".into();
        assert!(parse(FORK, &m, "cmd.x").is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

        #[test]
        fn never_panics(s in "\\PC*", pattern in "[a-z0-9()\\[\\].+*?:^$ ]{0,12}") {
            let _ = parse(&s, &measure(&pattern), "cmd.x");
            let _ = parse(FORK, &measure(&pattern), "cmd.x");
        }
    }
}
