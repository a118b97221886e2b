//! The shape of the code: the library's modules (one per stage of the data flow) form no
//! cycle, so that each stage can be read, tested and changed on its own.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::support::root;

/// The top-level module of each source file and the crate modules its non-test code names.
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = root().join("src");
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut files = Vec::new();
    collect_rs(&src, &mut files);
    for file in files {
        let relative = file.strip_prefix(&src).unwrap();
        let top = relative.components().next().unwrap().as_os_str().to_string_lossy();
        let module = top.trim_end_matches(".rs").to_string();
        if ["lib", "main"].contains(&module.as_str()) || file.ends_with("tests.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        // Unit tests may use anything; only the code that ships counts.
        let code = text.split("#[cfg(test)]").next().unwrap();
        let edges = graph.entry(module.clone()).or_default();
        for (i, _) in code.match_indices("crate::") {
            let name: String = code[i + 7..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            let is_module = src.join(format!("{name}.rs")).exists() || src.join(&name).is_dir();
            if is_module && name != module {
                edges.insert(name);
            }
        }
        // `crate::{a, b}` groups.
        for (i, _) in code.match_indices("crate::{") {
            let group = &code[i + 8..i + 8 + code[i + 8..].find('}').unwrap_or(0)];
            for name in group.split(',').map(|n| n.trim().split("::").next().unwrap_or("")) {
                if !name.is_empty() && name != module {
                    edges.insert(name.to_string());
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
    assert!(graph.len() > 15, "modules found: {:?}", graph.keys());
    assert!(graph["render"].contains("load"), "the graph is read: render uses load");
    let cycles: Vec<String> =
        graph.keys().filter_map(|m| cycle_from(&graph, m)).map(|c| c.join(" → ")).collect();
    assert!(cycles.is_empty(), "module cycles:\n{}", cycles.join("\n"));
}

#[test]
fn charts_and_the_model_never_depend_on_templates_or_the_command_line() {
    let graph = module_graph();
    for (module, forbidden) in [
        ("charts", "template"),
        ("model", "cli"),
        ("outline", "model"),
        ("compile", "model"),
        ("render", "cli"),
        ("watch", "cli"),
        ("validate", "template"),
    ] {
        assert!(
            !graph[module].contains(forbidden),
            "{module} must not depend on {forbidden}: {:?}",
            graph[module]
        );
    }
}
