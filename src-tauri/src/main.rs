//! Hallway's entry point: the allocator, then the app.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

/// mimalloc gives freed pages back to the system. With glibc's allocator, the burst of ~5,000
/// disco#info answers after sign-in with a big roster (XEP-0115 caps queries from each
/// contact's PEP service, held until the server acks them, XEP-0198) stayed resident in its
/// thread arenas: ~120 MB for the rest of the session (docs/PERFORMANCE.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc 3's `mi_option_arena_eager_commit` and `mi_option_purge_delay` (their positions in
/// `mi_option_e`, include/mimalloc.h, the same in mimalloc 2; libmimalloc-sys names neither).
const MI_OPTION_ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Freed memory goes back at once, and arenas are committed as used: a thread that goes quiet
/// after a burst never calls the allocator again to purge on a delay. In the window benchmark
/// this took the shell from 233 to 121–139 MB PSS with 5,000 contacts (docs/PERFORMANCE.md).
/// A value the user gave mimalloc through its own variables is kept.
#[allow(unsafe_code)]
fn tune_allocator() {
    for (option, var, value) in [
        (MI_OPTION_PURGE_DELAY, "MIMALLOC_PURGE_DELAY", 0),
        (
            MI_OPTION_ARENA_EAGER_COMMIT,
            "MIMALLOC_ARENA_EAGER_COMMIT",
            0,
        ),
    ] {
        if std::env::var_os(var).is_some() {
            continue;
        }
        // SAFETY: mi_option_set stores an integer in mimalloc's option table, which is not
        // synchronised: this runs first thing in `main`, while the process has one thread. Both
        // options are read on each purge or arena reservation, so later allocations follow them
        // (an arena reserved before `main` keeps the eager commit it was made with).
        unsafe { libmimalloc_sys::mi_option_set(option, value) };
    }
}

fn main() {
    // `hallway --version` answers and exits before any window, display or account is touched
    // (package checks and bug reports ask for it).
    if std::env::args()
        .skip(1)
        .any(|a| a == "--version" || a == "-V")
    {
        println!("Hallway {}", env!("CARGO_PKG_VERSION"));
        return;
    }
    tune_allocator();
    if let Err(e) = hallway_lib::run() {
        eprintln!("Hallway could not start: {e}");
        std::process::exit(1);
    }
}
