//! The folders are the architecture (README: How it is built), so their imports may not go in
//! a circle: `domain` at the bottom, then `db`, `service`, the application state `app`, and the
//! adapters (`soap`, `web`, the CLI) on top. Read from the `crate::` and `super::` paths of
//! every source file, outside its tests.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Graph = BTreeMap<String, BTreeSet<String>>;

fn sources(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// The code of a file without its `#[cfg(test)]` module, which may reach anywhere.
fn code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    match text.find("#[cfg(test)]") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

/// Every name that follows `prefix` and a word boundary, e.g. `crate::soap` gives `soap`,
/// and `crate::{a, b}` gives both.
fn targets(code: &str, prefix: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find(prefix) {
        let before = rest[..at].chars().last();
        rest = &rest[at + prefix.len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let names = if let Some(group) = rest.strip_prefix('{') {
            group[..group.find('}').unwrap_or(group.len())]
                .split(',')
                .map(|n| n.split("::").next().unwrap_or("").trim().to_owned())
                .collect()
        } else {
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            vec![rest[..end].to_owned()]
        };
        found.extend(names.into_iter().filter(|n| !n.is_empty() && n != "self"));
    }
    found
}

/// The module directly below `root` that `file` belongs to: `soap` for `root/soap/x.rs` and
/// for `root/soap.rs`.
fn module_of(file: &Path, root: &Path) -> String {
    let relative = file.strip_prefix(root).unwrap();
    let first = relative.components().next().unwrap().as_os_str();
    first.to_string_lossy().trim_end_matches(".rs").to_owned()
}

/// Which top-level module of `src/` imports which, through `crate::`.
fn top_level_graph() -> Graph {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut graph = Graph::new();
    for file in files {
        let module = module_of(&file, &src);
        if module == "lib" || module == "main" {
            continue;
        }
        for target in targets(&code(&file), "crate::") {
            if target != module {
                graph.entry(module.clone()).or_default().insert(target);
            }
        }
    }
    graph
}

/// A circle in the graph, if there is one, as the path that closes it.
fn circle(graph: &Graph) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &Graph,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut found = path[at..].to_vec();
            found.push(node.to_owned());
            return Some(found);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(found) = visit(next, graph, path, done) {
                return Some(found);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

#[test]
fn the_top_level_modules_import_each_other_in_no_circle() {
    let graph = top_level_graph();
    assert_eq!(circle(&graph), None, "imports: {graph:#?}");
}

#[test]
fn nothing_below_the_adapters_knows_them() {
    let graph = top_level_graph();
    let adapters = ["soap", "web", "cli", "startup"];
    for lower in ["domain", "db", "service", "app", "metrics", "staff"] {
        let reached: Vec<&String> = graph
            .get(lower)
            .into_iter()
            .flatten()
            .filter(|t| adapters.contains(&t.as_str()))
            .collect();
        assert!(reached.is_empty(), "{lower} imports {reached:?}");
    }
    let domain = graph.get("domain").cloned().unwrap_or_default();
    assert!(
        domain.is_empty(),
        "domain imports {domain:?}: it holds no I/O"
    );
}

#[test]
fn the_files_of_the_soap_folder_import_each_other_in_no_circle() {
    let soap = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/soap");
    let mut files = Vec::new();
    sources(&soap, &mut files);
    let mut graph = Graph::new();
    for file in files {
        let relative = file.strip_prefix(&soap).unwrap();
        let module = module_of(&file, &soap);
        if module == "mod" {
            continue;
        }
        let code = code(&file);
        // `super::` in operations/*.rs names operations/mod.rs, not a sibling of the folder.
        let mut named = targets(&code, "crate::soap::");
        if relative.components().count() == 1 {
            named.extend(targets(&code, "super::"));
        }
        for target in named {
            if target != module
                && (soap.join(format!("{target}.rs")).exists() || soap.join(&target).is_dir())
            {
                graph.entry(module.clone()).or_default().insert(target);
            }
        }
    }
    assert_eq!(circle(&graph), None, "imports: {graph:#?}");
}

#[test]
fn a_circle_is_found_when_there_is_one() {
    let graph: Graph = [("a", "b"), ("b", "c"), ("c", "a")]
        .into_iter()
        .map(|(from, to)| (from.to_owned(), BTreeSet::from([to.to_owned()])))
        .collect();
    assert_eq!(
        circle(&graph),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
    assert_eq!(
        targets("use crate::{soap::x, web};", "crate::"),
        vec!["soap".to_owned(), "web".to_owned()]
    );
}
