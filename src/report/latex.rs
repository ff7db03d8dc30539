//! `--latex`: the compact headline table and the paper table as LaTeX `tabular` environments,
//! `figures/headline.tex` and `figures/paper_table.tex`, beside the figures, for reports
//! written in LaTeX (`\input{figures/paper_table.tex}` inside a `table`). Every value is
//! escaped with [`escape`]; the files need no package beyond LaTeX itself. Pure, like the other
//! renderers.

use anyhow::Result;

use super::{Renderer, Report};

/// Renders `figures/headline.tex`: per workload its primary metric, the baseline's mean
/// [interval], and per compared arm the cost ratio [interval] and verdict.
pub(crate) struct HeadlineLatexRenderer;

/// Renders `figures/paper_table.tex`: the paper table as report.md prints it.
pub(crate) struct PaperLatexRenderer;

impl Renderer for HeadlineLatexRenderer {
    fn file_name(&self) -> &'static str {
        "figures/headline.tex"
    }

    fn render(&self, report: &Report) -> Result<String> {
        let h = &report.context.headline;
        let mut header =
            vec!["Workload".to_string(), "Primary metric".into(), format!("{} (baseline)", h.baseline)];
        header.extend(h.arms.iter().map(|a| format!("{a}: cost ratio, verdict")));
        let rows = h.rows.iter().map(|r| {
            let mut cells = vec![r.label.clone(), r.metric.clone(), or_no_runs(&r.baseline_value)];
            cells.extend(r.cells.iter().map(|c| match c.cost_ratio {
                Some(_) => format!("{}, {}", c.cost, c.verdict),
                None if c.value.is_empty() => or_no_runs(&c.value),
                None => c.change.clone(),
            }));
            cells
        });
        Ok(tabular("llr", "l", h.arms.len(), &header, rows))
    }
}

impl Renderer for PaperLatexRenderer {
    fn file_name(&self) -> &'static str {
        "figures/paper_table.tex"
    }

    fn render(&self, report: &Report) -> Result<String> {
        let t = &report.context.paper_table;
        let mut header =
            vec!["Benchmark".to_string(), "Primary metric".into(), format!("{} (baseline)", t.baseline)];
        header.extend(t.arms.iter().cloned());
        let rows = t.rows.iter().map(|r| {
            let mut cells = vec![
                r.benchmark.clone(),
                format!("{} ({}, {} is better)", r.metric, r.unit, r.better),
                or_no_runs(&r.baseline_value),
            ];
            cells.extend(r.cells.iter().map(|c| c.text.clone()));
            cells
        });
        Ok(tabular("llr", "r", t.arms.len(), &header, rows))
    }
}

fn or_no_runs(v: &str) -> String {
    if v.is_empty() {
        "no runs".to_string()
    } else {
        v.to_string()
    }
}

/// A `tabular` with columns `lead` then `each` per arm, a rule under the header, every cell
/// escaped, one row a line.
fn tabular(
    lead: &str,
    each: &str,
    arms: usize,
    header: &[String],
    rows: impl Iterator<Item = Vec<String>>,
) -> String {
    let line = |cells: &[String]| cells.iter().map(|c| escape(c)).collect::<Vec<_>>().join(" & ") + " \\\\\n";
    let mut out = format!("% Written by virtperf; \\input it inside a table environment.\n\\begin{{tabular}}{{{lead}{}}}\n\\hline\n", each.repeat(arms));
    out.push_str(&line(header));
    out.push_str("\\hline\n");
    for r in rows {
        out.push_str(&line(&r));
    }
    out.push_str("\\hline\n\\end{tabular}\n");
    out
}

/// Escapes text for a LaTeX table cell so that it prints as written: the ten specials
/// (`\ & % $ # _ { } ~ ^`), brackets (a `[` after `\\` would be read as its optional
/// argument), `<`, `>` and `|` (which print as other glyphs in LaTeX's default font
/// encoding), `×` and `±` as math; line breaks become spaces.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\textbackslash{}"),
            '&' | '%' | '$' | '#' | '_' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            '~' => out.push_str("\\textasciitilde{}"),
            '^' => out.push_str("\\textasciicircum{}"),
            '[' => out.push_str("{[}"),
            ']' => out.push_str("{]}"),
            '<' => out.push_str("\\textless{}"),
            '>' => out.push_str("\\textgreater{}"),
            '|' => out.push_str("\\textbar{}"),
            '×' => out.push_str("$\\times$"),
            '±' => out.push_str("$\\pm$"),
            '\r' | '\n' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn specials_are_escaped() {
        assert_eq!(escape("read_iops"), r"read\_iops");
        assert_eq!(escape("-5.7% [-22.9, +18.7]"), r"-5.7\% {[}-22.9, +18.7{]}");
        assert_eq!(escape("×1.06"), r"$\times$1.06");
        assert_eq!(
            escape(r"a\b&c$d#e{f}g~h^i"),
            r"a\textbackslash{}b\&c\$d\#e\{f\}g\textasciitilde{}h\textasciicircum{}i"
        );
        assert_eq!(escape("<script>|x"), r"\textless{}script\textgreater{}\textbar{}x");
        assert_eq!(escape("line\nbreak"), "line break");
    }
}
