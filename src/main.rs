//! The `mmssl` command line: see `mmssl --help`.

fn main() -> std::process::ExitCode {
    mmssl::cli::main()
}
