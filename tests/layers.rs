//! The module graph points one way (DESIGN.md, "Architecture"): each top-level module of
//! `src/` imports only from layers below its own. A new module must be placed in a layer here.
use std::collections::BTreeMap;
use std::path::Path;

/// Bottom to top; modules of one layer do not import each other.
const LAYERS: &[&[&str]] = &[
    &["digest"],
    &["diagnostic", "file", "keys"],
    &["config"],
    &["registry"],
    &["emulator", "live"],
    &["magento"],
    &["rules"],
    &["plan"],
    &["run"],
    &["error"],
    &["cli"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// Every `crate::NAME` a module's files mention, with the file that mentions it.
fn imports(src: &Path) -> BTreeMap<String, Vec<(String, String)>> {
    let mut found: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).expect("read src") {
                stack.push(entry.expect("dir entry").path());
            }
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let relative = path.strip_prefix(src).expect("under src");
        let module = relative
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .map(|s| s.trim_end_matches(".rs").to_owned())
            .expect("module name");
        if matches!(module.as_str(), "lib" | "main") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read source");
        // Unit tests may use the crate's test support from any layer; shipped code may not.
        let text = text
            .find("#[cfg(test)]\nmod tests")
            .map_or(text.as_str(), |end| &text[..end]);
        for (i, _) in text.match_indices("crate::") {
            let preceded_by_ident = text[..i]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_');
            if preceded_by_ident {
                continue; // e.g. `saasctl::crate::` cannot occur; `$crate::` in macros can
            }
            let name: String = text[i + "crate::".len()..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            found
                .entry(module.clone())
                .or_default()
                .push((name, relative.display().to_string()));
        }
    }
    found
}

#[test]
fn every_import_points_down() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut problems = Vec::new();
    for (module, names) in imports(&src) {
        let Some(own) = layer_of(&module) else {
            problems.push(format!(
                "module `{module}` is in no layer of tests/layers.rs"
            ));
            continue;
        };
        for (name, file) in names {
            // Names that are not modules (macros exported at the root, re-exports).
            let Some(target) = layer_of(&name) else {
                continue;
            };
            if name != module && target >= own {
                problems.push(format!(
                    "src/{file}: `{module}` (layer {own}) imports `crate::{name}` (layer {target})"
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "imports that do not point down:\n{}",
        problems.join("\n")
    );
}

#[test]
fn every_top_level_module_has_a_layer() {
    let lib = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs"))
        .expect("read lib.rs");
    let missing: Vec<&str> = lib
        .lines()
        .filter_map(|line| line.trim().strip_prefix("pub mod "))
        .map(|rest| rest.trim_end_matches(';'))
        .filter(|module| layer_of(module).is_none())
        .collect();
    assert!(missing.is_empty(), "modules without a layer: {missing:?}");
}
