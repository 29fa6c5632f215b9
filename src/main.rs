fn main() -> std::process::ExitCode {
    chainfix::cli::main()
}
