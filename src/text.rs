//! Text helpers shared by the analysis (its check messages) and the reports: numbers, params
//! and group names as people read them.
//!
//! A leaf: it imports nothing of the crate, so both layers can use it without one pointing at
//! the other. Not here: the report's own wording (sentences, tables), which stays in
//! `crate::report`.

/// A number with 4 significant digits for messages: `1294`, `175.4`, `0.1356`; 0 and
/// non-finite values as Rust prints them.
pub(crate) fn fmt_num(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let digits = (4 - 1 - v.abs().log10().floor() as i32).max(0) as usize;
    format!("{v:.digits$}")
}

/// Params as people read them: `threads=1, cpu-max-prime=20000` for the canonical
/// `threads=1;cpu-max-prime=20000`.
pub(crate) fn display_params(params: &str) -> String {
    params.replace(';', ", ")
}

/// The name the analysis gives a (workload, params, stratum) group in its checks:
/// `workload [params] (stratum)`, each part only when it is not empty.
pub(crate) fn group_label(workload: &str, params: &str, stratum: &str) -> String {
    let mut s = workload.to_string();
    if !params.is_empty() {
        s.push_str(&format!(" [{}]", display_params(params)));
    }
    if !stratum.is_empty() {
        s.push_str(&format!(" ({stratum})"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_have_four_significant_digits() {
        assert_eq!(fmt_num(1294.3), "1294");
        assert_eq!(fmt_num(175.44), "175.4");
        assert_eq!(fmt_num(0.135_62), "0.1356");
        assert_eq!(fmt_num(-2.5), "-2.500");
        assert_eq!(fmt_num(123_456.0), "123456");
        assert_eq!(fmt_num(0.0), "0");
        assert_eq!(fmt_num(f64::NAN), "NaN");
    }

    #[test]
    fn groups_are_named_by_their_parts() {
        assert_eq!(group_label("wrk", "", ""), "wrk");
        assert_eq!(group_label("fio.randread", "bs=4k;iodepth=1", ""), "fio.randread [bs=4k, iodepth=1]");
        assert_eq!(group_label("wrk", "", "docker"), "wrk (docker)");
        assert_eq!(group_label("sysbench.cpu", "threads=2", "qemu"), "sysbench.cpu [threads=2] (qemu)");
    }
}
