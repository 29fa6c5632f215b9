fn main() -> std::process::ExitCode {
    // A killed run must not leave a temp file holding a key behind.
    let _ = chainfix::emit::atomic::clean_up_on_signals();
    chainfix::cli::main()
}
