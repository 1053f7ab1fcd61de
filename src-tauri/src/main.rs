//! Hallway's entry point: the allocator, WebKit's environment, then the app.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

/// mimalloc gives freed pages back to the system. With glibc's allocator, the burst of ~5,000
/// disco#info answers after sign-in with a big roster (XEP-0115 caps queries from each
/// contact's PEP service, held until the server acks them, XEP-0198) stayed resident in its
/// thread arenas: ~120 MB for the rest of the session (docs/PERFORMANCE.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc 3's `mi_option_arena_eager_commit` and `mi_option_purge_delay` (their positions in
/// `mi_option_e`, include/mimalloc.h; libmimalloc-sys names neither).
const MI_OPTION_ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Freed memory goes back at once, and arenas are committed as used: a thread that goes quiet
/// after a burst never calls the allocator again to purge on a delay. In the window benchmark
/// this took the shell from 159 to ~111 MB after the caps burst.
#[allow(unsafe_code)]
fn tune_allocator() {
    // SAFETY: mi_option_set stores an integer in mimalloc's option table; both options are
    // read on each purge/arena reservation, so setting them while running is supported.
    unsafe {
        libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0);
        libmimalloc_sys::mi_option_set(MI_OPTION_ARENA_EAGER_COMMIT, 0);
    }
}

fn main() {
    tune_allocator();
    hallway_lib::webview_env::prepare();
    if let Err(e) = hallway_lib::run() {
        eprintln!("Hallway could not start: {e}");
        std::process::exit(1);
    }
}
