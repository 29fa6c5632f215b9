fn main() -> std::process::ExitCode {
    // A killed run must not leave a temp file holding a key behind.
    let _ = chainfix::emit::atomic::clean_up_on_signals();
    // One signature-check budget for the whole run, across every input.
    use chainfix::chain::signature::{BUDGET_ENV, RUN_BUDGET, with_budget};
    let budget = std::env::var(BUDGET_ENV)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(RUN_BUDGET);
    with_budget(budget, chainfix::cli::main)
}
