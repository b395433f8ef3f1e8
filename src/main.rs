fn main() -> std::process::ExitCode {
    saasctl::cli::main()
}
