//! The `mmssl` command line: see `mmssl --help`.

fn main() -> std::process::ExitCode {
    keep_freed_memory();
    mmssl::cli::main()
}

/// Keeps freed memory in the process (glibc): candle allocates a fresh buffer per op, and by
/// default glibc maps every buffer above 128 KiB anew and unmaps it when freed, so each step pays
/// page faults and zeroing in the kernel (about 15 % of an SSL step on 2 cores, `mmssl bench`).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn keep_freed_memory() {
    // SAFETY: mallopt only changes allocator parameters; it is called before any thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 1 << 30);
    }
}

/// Other platforms keep their allocator's defaults.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn keep_freed_memory() {}
