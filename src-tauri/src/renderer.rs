//! WebKitGTK's renderer on Linux: its DMA-BUF renderer is turned off where it cannot help or
//! is known to fail, before WebKit starts; a value the user set is always kept.
//!
//! Why (issue 20, docs/PERFORMANCE.md "Which renderer"): without a GPU render node (Xvfb,
//! virtual machines, remote desktops) the DMA-BUF renderer draws through Mesa's software GL,
//! which costs the web process ~80–100 MB PSS for nothing; with NVIDIA's own driver it shows a
//! blank window or crashes on some systems (tauri#10702, Fluux Messenger turns it off on every
//! Linux start). The stall once blamed on it is WebKitWebDriver's, not the window's
//! (`tests/repro/webkit-dialog`).

use std::ffi::OsString;
use std::path::Path;

/// WebKitGTK's own switch: any value but "0" turns the DMA-BUF renderer off.
pub const DMABUF_VAR: &str = "WEBKIT_DISABLE_DMABUF_RENDERER";

/// What was chosen, and why (logged at start).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Renderer {
    /// The user set the variable: WebKit does what they said.
    UserSet(OsString),
    /// Turned off by us, for the reason given.
    DmabufOff(&'static str),
    /// WebKit's default (DMA-BUF on a GPU).
    Default,
}

/// The choice, from what the machine has: the user's value of `DMABUF_VAR`, whether a GPU
/// render node exists, whether NVIDIA's own kernel driver is loaded.
pub fn decide(user_value: Option<OsString>, render_node: bool, nvidia: bool) -> Renderer {
    match user_value {
        Some(v) => Renderer::UserSet(v),
        None if !render_node => Renderer::DmabufOff("no GPU render node (/dev/dri/renderD*)"),
        None if nvidia => Renderer::DmabufOff("NVIDIA's driver (tauri#10702)"),
        None => Renderer::Default,
    }
}

/// Whether `dir` (normally /dev/dri) holds a render node.
pub fn has_render_node(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
        })
        .unwrap_or(false)
}

/// Decides and applies: sets `DMABUF_VAR` for WebKit (its web process inherits it). Must run
/// before the window is made and while the process has one thread (environment writes are not
/// synchronised with readers on other threads).
pub fn choose() -> Renderer {
    let choice = decide(
        std::env::var_os(DMABUF_VAR),
        has_render_node(Path::new("/dev/dri")),
        Path::new("/proc/driver/nvidia/version").exists(),
    );
    match &choice {
        Renderer::UserSet(v) => {
            tracing::info!(
                "renderer: {DMABUF_VAR}={} (set by the user)",
                v.to_string_lossy()
            )
        }
        Renderer::DmabufOff(why) => {
            std::env::set_var(DMABUF_VAR, "1");
            tracing::info!("renderer: WebKit's DMA-BUF renderer off: {why}");
        }
        Renderer::Default => tracing::info!("renderer: WebKit's default (DMA-BUF on the GPU)"),
    }
    choice
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_users_value_wins_whatever_the_machine() {
        for (node, nvidia) in [(false, false), (true, true), (true, false)] {
            assert_eq!(
                decide(Some("0".into()), node, nvidia),
                Renderer::UserSet("0".into())
            );
        }
        assert_eq!(
            decide(Some("1".into()), true, false),
            Renderer::UserSet("1".into())
        );
    }

    #[test]
    fn off_without_a_render_node_or_with_nvidia_else_webkits_default() {
        assert!(matches!(
            decide(None, false, false),
            Renderer::DmabufOff(w) if w.contains("render node")
        ));
        assert!(matches!(
            decide(None, true, true),
            Renderer::DmabufOff(w) if w.contains("NVIDIA")
        ));
        assert_eq!(decide(None, true, false), Renderer::Default);
    }

    #[test]
    fn a_render_node_is_found_by_name() {
        let dir = tempfile::tempdir().unwrap();
        assert!(!has_render_node(dir.path()));
        assert!(!has_render_node(&dir.path().join("missing")));
        std::fs::write(dir.path().join("card0"), b"").unwrap();
        assert!(!has_render_node(dir.path()));
        std::fs::write(dir.path().join("renderD128"), b"").unwrap();
        assert!(has_render_node(dir.path()));
    }
}
