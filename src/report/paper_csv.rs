//! paper_table.csv: the report's paper table (`sections::paper`) as CSV, for a paper's own
//! table or a spreadsheet. One row per benchmark; per arm the cell as the report prints it and
//! its numbers in full precision. Pure, like the other renderers.

use anyhow::Result;

use super::{Renderer, Report};

/// Renders paper_table.csv.
pub(crate) struct PaperCsvRenderer;

impl Renderer for PaperCsvRenderer {
    fn file_name(&self) -> &'static str {
        "paper_table.csv"
    }

    /// Columns: `benchmark`, `metric`, `unit`, `better`, `BASELINE (baseline)` (its mean), then
    /// per other arm `ARM` (the cell as printed: `-13.6% [-15.2, -12.0]`, `withheld: ...`),
    /// `ARM change_pct`, `ARM ci_low_pct` and `ARM ci_high_pct` (empty when not shown).
    fn render(&self, report: &Report) -> Result<String> {
        let t = &report.context.paper_table;
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut header: Vec<String> =
            ["benchmark", "metric", "unit", "better"].iter().map(|s| s.to_string()).collect();
        header.push(format!("{} (baseline)", t.baseline));
        for a in &t.arms {
            header.extend([
                a.clone(),
                format!("{a} change_pct"),
                format!("{a} ci_low_pct"),
                format!("{a} ci_high_pct"),
            ]);
        }
        w.write_record(&header)?;
        let opt = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
        for r in &t.rows {
            let mut rec = vec![
                r.benchmark.clone(),
                r.metric.clone(),
                r.unit.clone(),
                r.better.clone(),
                opt(r.baseline_mean),
            ];
            for c in &r.cells {
                rec.extend([c.text.clone(), opt(c.change_pct), opt(c.ci_low_pct), opt(c.ci_high_pct)]);
            }
            w.write_record(&rec)?;
        }
        Ok(String::from_utf8(w.into_inner()?)?)
    }
}
