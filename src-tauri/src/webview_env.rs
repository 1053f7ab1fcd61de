//! What the shell tells WebKitGTK through its environment before any thread or window exists
//! (WebKit reads these once, at start-up; setting them later has no effect).

/// Without a GPU render node, WebKitGTK's DMA-BUF renderer (the default since 2.42) has no GPU
/// to share buffers from: it renders with Mesa's software GL and copies frames through shared
/// memory, which cost the web process ~105 MB more than the older path in our window benchmark
/// (docs/PERFORMANCE.md). On machines with a render node WebKit's default is kept, and a value
/// the user set is never overridden.
///
/// Call it first thing in `main`, before any thread starts: it changes the environment.
pub fn prepare() {
    #[cfg(target_os = "linux")]
    {
        const VAR: &str = "WEBKIT_DISABLE_DMABUF_RENDERER";
        if std::env::var_os(VAR).is_none() && !has_render_node(std::path::Path::new("/dev/dri")) {
            // Called first thing in `main`, while the process has one thread: nothing else can
            // be reading the environment.
            std::env::set_var(VAR, "1");
        }
    }
}

/// Whether `dri` holds a GPU render node (`renderD128`…), the device WebKit's DMA-BUF
/// renderer draws through.
#[cfg(target_os = "linux")]
fn has_render_node(dri: &std::path::Path) -> bool {
    std::fs::read_dir(dri)
        .map(|entries| {
            entries
                .flatten()
                .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
        })
        .unwrap_or(false)
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn render_node_is_found_only_when_present() {
        let dir = tempfile::tempdir().unwrap();
        assert!(!has_render_node(&dir.path().join("missing")));
        assert!(!has_render_node(dir.path()));
        std::fs::write(dir.path().join("card0"), b"").unwrap();
        assert!(!has_render_node(dir.path()));
        std::fs::write(dir.path().join("renderD128"), b"").unwrap();
        assert!(has_render_node(dir.path()));
    }
}
