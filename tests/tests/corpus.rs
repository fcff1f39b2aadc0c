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
    assert_eq!(totals.failed, 0, "{}", report.render(false));
}
