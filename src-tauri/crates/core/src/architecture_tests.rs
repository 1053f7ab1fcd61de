//! The shape of this crate, checked: no module imports, directly or through others, a module that
//! imports it back — neither between files (a module and its own parent or children aside) nor
//! between the crate's top-level modules (`session` may use `chats`, so nothing in `chats` may use
//! `session`) — and no source file outside the tests is over 500 lines. Read from the source text
//! (`use crate::…`, `crate::{…}` groups and inline `crate::…` paths).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Longest a non-test source file may be.
const MAX_LINES: usize = 500;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every source file but the tests, with its module path (`files::offers`).
fn modules() -> BTreeMap<String, PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    walk(&src(), &mut files);
    files
        .into_iter()
        .filter_map(|p| {
            let rel = p.strip_prefix(src()).unwrap().with_extension("");
            let parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if parts
                .iter()
                .any(|c| c == "tests" || c == "testing" || c.ends_with("_tests"))
            {
                return None;
            }
            let mut path: Vec<&str> = parts.iter().map(String::as_str).collect();
            if path.last() == Some(&"mod") || path == ["lib"] {
                path.pop();
            }
            Some((path.join("::"), p))
        })
        .collect()
}

/// The source without its `#[cfg(test)] mod tests { … }` block (tests may reach anywhere) and
/// without comments (which may name any module).
fn code(text: &str) -> String {
    let text = text
        .find("#[cfg(test)]\nmod tests {")
        .map_or(text, |i| &text[..i]);
    text.lines()
        .map(|l| {
            // A `//` inside a string literal ("https://…") does not start a comment.
            let mut quotes = 0;
            let bytes = l.as_bytes();
            for i in 0..bytes.len() {
                match bytes[i] {
                    b'"' if i == 0 || bytes[i - 1] != b'\\' => quotes += 1,
                    b'/' if quotes % 2 == 0 && bytes.get(i + 1) == Some(&b'/') => return &l[..i],
                    _ => {}
                }
            }
            l
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `crate::{a::X, b}` written out as `crate::a::X crate::b`, so groups are read like paths.
fn ungroup(code: &str) -> String {
    let mut out = String::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::{") {
        out.push_str(&rest[..i]);
        rest = &rest[i + "crate::{".len()..];
        let mut depth = 1;
        let end = rest
            .char_indices()
            .find(|&(_, c)| {
                depth += match c {
                    '{' => 1,
                    '}' => -1,
                    _ => 0,
                };
                depth == 0
            })
            .map_or(rest.len(), |(j, _)| j);
        for item in rest[..end].split(',') {
            out.push_str(" crate::");
            out.push_str(item.trim());
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The modules `text` names through `crate::` paths, resolved to the longest known module.
fn imports(text: &str, known: &BTreeMap<String, PathBuf>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let code = ungroup(&code(text));
    let mut rest = code.as_str();
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        let path: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
            .collect();
        let segs: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
        for n in (1..=segs.len()).rev() {
            let m = segs[..n].join("::");
            if known.contains_key(&m) {
                out.insert(m);
                break;
            }
        }
    }
    out
}

fn related(a: &str, b: &str) -> bool {
    a.is_empty()
        || b.is_empty()
        || a.starts_with(&format!("{b}::"))
        || b.starts_with(&format!("{a}::"))
}

/// Each module's imports of modules other than itself, its parents and its children.
fn file_graph() -> BTreeMap<String, BTreeSet<String>> {
    let known = modules();
    known
        .iter()
        .map(|(m, p)| {
            let text = std::fs::read_to_string(p).unwrap();
            let deps = imports(&text, &known)
                .into_iter()
                .filter(|d| d != m && !related(m, d))
                .collect();
            (m.clone(), deps)
        })
        .collect()
}

/// The same, folded to the crate's top-level modules (`chats::incoming` counts as `chats`).
fn top_level(graph: &BTreeMap<String, BTreeSet<String>>) -> BTreeMap<String, BTreeSet<String>> {
    let top = |m: &str| m.split("::").next().unwrap_or("").to_string();
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (m, deps) in graph {
        let entry = out.entry(top(m)).or_default();
        entry.extend(
            deps.iter()
                .map(|d| top(d))
                .filter(|d| *d != top(m) && !d.is_empty()),
        );
    }
    out
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let cycles = cycles(&file_graph());
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}

#[test]
fn no_top_level_module_imports_one_that_imports_it_back() {
    let cycles = cycles(&top_level(&file_graph()));
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}

/// Every module from which a chain of imports leads back to it, with one such chain.
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    // Depth-first search for a way back to where it started.
    fn back(
        graph: &BTreeMap<String, BTreeSet<String>>,
        from: &str,
        at: &str,
        seen: &mut BTreeSet<String>,
        path: &mut Vec<String>,
    ) -> bool {
        for next in graph.get(at).into_iter().flatten() {
            if next == from {
                path.push(next.clone());
                return true;
            }
            if seen.insert(next.clone()) {
                path.push(next.clone());
                if back(graph, from, next, seen, path) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    let mut cycles = Vec::new();
    for m in graph.keys() {
        let mut path = vec![m.clone()];
        if back(graph, m, m, &mut BTreeSet::new(), &mut path) {
            cycles.push(path.join(" → "));
        }
    }
    cycles
}

#[test]
fn the_checker_finds_a_cycle_when_there_is_one() {
    let mut known = BTreeMap::new();
    for m in ["a", "b", "a::c"] {
        known.insert(m.to_string(), PathBuf::new());
    }
    assert_eq!(
        imports("use crate::b::X;\nfn f() { crate::a::c::g(); }", &known),
        ["a::c".to_string(), "b".to_string()].into()
    );
    assert!(related("a", "a::c") && !related("a", "b"));
    // What follows the tests block, and comments, are not looked at.
    assert!(imports("#[cfg(test)]\nmod tests {\n use crate::b::X;\n}", &known).is_empty());
    assert!(imports("//! see `crate::b`\nfn f() {} // crate::a", &known).is_empty());
    // Groups, and paths after a URL in a string, are read.
    assert_eq!(
        imports("use crate::{a::c::X, b};", &known),
        ["a::c".to_string(), "b".to_string()].into()
    );
    assert_eq!(
        imports("let u = \"https://x\"; crate::b::f();", &known),
        ["b".to_string()].into()
    );
    // A cycle through children is found once folded to the top level, and only then.
    let mut files = BTreeMap::new();
    files.insert("a::c".to_string(), BTreeSet::from(["b".to_string()]));
    files.insert("b".to_string(), BTreeSet::from(["a".to_string()]));
    files.insert("a".to_string(), BTreeSet::new());
    assert!(cycles(&files).is_empty());
    assert_eq!(cycles(&top_level(&files)).len(), 2);
}

#[test]
fn no_source_file_is_over_500_lines() {
    let long: Vec<String> = modules()
        .into_iter()
        .filter_map(|(m, p)| {
            let n = std::fs::read_to_string(&p).unwrap().lines().count();
            (n > MAX_LINES).then(|| format!("{m}: {n} lines"))
        })
        .collect();
    assert!(
        long.is_empty(),
        "over {MAX_LINES} lines:\n{}",
        long.join("\n")
    );
}
