//! Hallway's entry point.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    if let Err(e) = hallway_lib::run() {
        eprintln!("Hallway could not start: {e}");
        std::process::exit(1);
    }
}
