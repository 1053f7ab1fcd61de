//! Tauri's build script for the reproduction window (config, embedded page).
fn main() {
    tauri_build::build();
}
