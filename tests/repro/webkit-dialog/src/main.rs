//! The reproduction window: Tauri 2's default builder and one window with `page/index.html`.
//! Nothing else (no commands, no plugins), so whatever stalls is WebKitGTK's or the page's.

fn main() {
    if let Err(e) = tauri::Builder::default().run(tauri::generate_context!()) {
        eprintln!("webkit-dialog-repro: {e}");
        std::process::exit(1);
    }
}
