//! The shape of the code: the library's modules (one per stage of the data flow) form no
//! cycle, so that each stage can be read, tested and changed on its own.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::support::root;

/// The public submodules a folder of src/ declares in its `mod.rs` (`pub mod x;`): each is a
/// module of the graph (`input::load`); private submodules belong to their parent.
fn public_submodules(src: &Path, folder: &str) -> BTreeSet<String> {
    let text = std::fs::read_to_string(src.join(folder).join("mod.rs")).unwrap_or_default();
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod ")?.strip_suffix(';').map(str::to_string))
        .collect()
}

/// The graph module a `crate::a::b::…` path names: `a::b` when `b` is a public submodule of
/// the folder `a`, else `a`; `None` for what is not a module (a macro).
fn module_of(src: &Path, path: &str) -> Option<String> {
    let mut parts = path.split("::").filter(|p| !p.is_empty());
    let first = parts.next()?;
    if src.join(first).is_dir() {
        match parts.next() {
            Some(second) if public_submodules(src, first).contains(second) => {
                Some(format!("{first}::{second}"))
            }
            _ => Some(first.to_string()),
        }
    } else {
        src.join(format!("{first}.rs")).exists().then(|| first.to_string())
    }
}

/// The module of each source file (`render`, `input::load`, `document::charts`) and the crate
/// modules its non-test code names.
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = root().join("src");
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut files = Vec::new();
    collect_rs(&src, &mut files);
    for file in files {
        let relative = file.strip_prefix(&src).unwrap().to_string_lossy().replace('\\', "/");
        if ["lib.rs", "main.rs"].contains(&relative.as_str()) || file.ends_with("tests.rs") {
            continue;
        }
        let module = module_of(&src, &relative.replace('/', "::").replace(".rs", "")).unwrap();
        let text = std::fs::read_to_string(&file).unwrap();
        // Unit tests may use anything; only the code that ships counts.
        let code = text.split("#[cfg(test)]").next().unwrap();
        let edges = graph.entry(module.clone()).or_default();
        for (i, _) in code.match_indices("crate::") {
            let rest = &code[i + 7..];
            // `crate::a::b::Item` or `crate::a::{b, c}` / `crate::{a, b::c}` groups.
            let prefix: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            let names: Vec<String> = if rest[prefix.len()..].starts_with('{') {
                let group = &rest[prefix.len() + 1..];
                let group = &group[..group.find('}').unwrap_or(0)];
                group.split(',').map(|n| format!("{prefix}{}", n.trim())).collect()
            } else {
                vec![prefix]
            };
            for name in names {
                if let Some(target) = module_of(&src, &name).filter(|t| *t != module) {
                    edges.insert(target);
                }
            }
        }
    }
    graph
}

fn collect_rs(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect_rs(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// A cycle through `start`, if there is one (depth-first search).
fn cycle_from(graph: &BTreeMap<String, BTreeSet<String>>, start: &str) -> Option<Vec<String>> {
    fn walk(
        graph: &BTreeMap<String, BTreeSet<String>>,
        start: &str,
        path: &mut Vec<String>,
        seen: &mut BTreeSet<String>,
    ) -> bool {
        let current = path.last().unwrap().clone();
        for next in graph.get(&current).into_iter().flatten() {
            if next == start {
                path.push(next.clone());
                return true;
            }
            if seen.insert(next.clone()) {
                path.push(next.clone());
                if walk(graph, start, path, seen) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    let mut path = vec![start.to_string()];
    walk(graph, start, &mut path, &mut BTreeSet::new()).then_some(path)
}

#[test]
fn the_library_modules_form_no_cycle() {
    let graph = module_graph();
    assert!(graph.len() > 25, "modules found: {:?}", graph.keys());
    assert!(graph["render"].contains("input::load"), "the graph is read: render uses input::load");
    let cycles: Vec<String> =
        graph.keys().filter_map(|m| cycle_from(&graph, m)).map(|c| c.join(" → ")).collect();
    assert!(cycles.is_empty(), "module cycles:\n{}", cycles.join("\n"));
}

#[test]
fn charts_and_the_model_never_depend_on_templates_or_the_command_line() {
    let graph = module_graph();
    for (module, forbidden) in [
        ("document::charts", "document::template"),
        ("model", "cli"),
        ("model::outline", "model"),
        ("typeset::compile", "model"),
        ("render", "cli"),
        ("watch", "cli"),
        ("input::validate", "document::template"),
    ] {
        assert!(
            !graph[module].contains(forbidden),
            "{module} must not depend on {forbidden}: {:?}",
            graph[module]
        );
    }
}

#[test]
fn the_stages_follow_the_data_flow() {
    // model: what a dossier is; typeset: the Typst engine; input reads the user's files into the
    // model; document makes the Typst sources from what input read. Nothing flows back.
    let graph = module_graph();
    let stage = |module: &str| module.split("::").next().unwrap().to_string();
    for (from, forbidden) in [
        ("model", &["input", "document", "typeset", "render"][..]),
        ("typeset", &["model", "input", "document", "render"][..]),
        ("input", &["document", "render"][..]),
        ("document", &["render"][..]),
    ] {
        for (module, targets) in graph.iter().filter(|(m, _)| stage(m) == from) {
            let back: Vec<&String> =
                targets.iter().filter(|t| forbidden.contains(&stage(t).as_str())).collect();
            assert!(back.is_empty(), "{module} ({from}) must not depend on {back:?}");
        }
    }
}
