//! Every recorded Okta payload that belongs to an operation of the spec decodes into the
//! generated models and encodes back without loss.

#[test]
fn the_okta_corpus_round_trips() {
    let Some(shared) = okta_tests::shared_dir() else {
        eprintln!("skipped: ../shared/okta-corpus is not beside the workspace");
        return;
    };
    let dir = shared.join("okta-corpus");
    let report = okta_tests::corpus::run(&dir).expect("the corpus is readable");
    let totals = report.totals();
    println!("{}", report.render(false));
    assert!(
        totals.passed > 300,
        "only {} payloads matched the spec",
        totals.passed
    );
    let failed: Vec<String> = report
        .rows
        .iter()
        .filter_map(|r| match &r.outcome {
            okta_tests::corpus::Outcome::Failed {
                operation,
                path,
                message,
            } => Some(format!("{} ({operation}) at {path}: {message}", r.file)),
            _ => None,
        })
        .collect();
    assert!(failed.is_empty(), "payloads that fail: {failed:#?}");
    assert_eq!(
        totals.nulls_dropped, 0,
        "the models write back every null they read"
    );
    // Payloads of endpoints the client has no operation for: at most 2% of the corpus.
    let without_operation = report
        .rows
        .iter()
        .filter(|r| {
            matches!(&r.outcome, okta_tests::corpus::Outcome::Skipped { reason }
                if reason.starts_with("no operation for"))
        })
        .count();
    println!(
        "{without_operation} of {} payloads have no operation",
        report.rows.len()
    );
    assert!(
        without_operation * 50 <= report.rows.len(),
        "{without_operation} of {} payloads have no operation in the spec (at most 2% may)",
        report.rows.len()
    );
}
