//! The module graph points one way (docs/design.md, "Layers"): each top-level module of `src/`
//! imports only from layers below its own. Every path the shipped code names is read with
//! Rust's grammar (`syn`): `use` trees (grouped too), paths in types, expressions and macro
//! invocations, `crate::`, `super::`, `self::` and `saasctl::`. Unit-test modules
//! (`#[cfg(test)]`) may use the crate's test support from any layer and are not read.
//! A new module must be placed in a layer here; `src/lib.rs` states the same list.

use std::path::{Path, PathBuf};

use syn::visit::Visit;

/// Bottom to top; modules of one layer do not import each other.
const LAYERS: &[&[&str]] = &[
    &["digest", "pause"],
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

/// The layers as `src/lib.rs` states them: `a` -> `b`, `c` -> …
fn layers_line() -> String {
    LAYERS
        .iter()
        .map(|layer| {
            layer
                .iter()
                .map(|m| format!("`{m}`"))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .collect::<Vec<_>>()
        .join(" -> ")
}

/// Every top-level module a file's shipped code names, given the file's module path
/// (`["config", "load"]` for `src/config/load.rs`), with the line that names it.
struct Names<'a> {
    module: Vec<String>,
    found: &'a mut Vec<(String, usize)>,
    /// Out-of-line test modules (`#[cfg(test)] mod tests;`): their files are not read.
    test_modules: &'a mut Vec<String>,
}

impl Names<'_> {
    /// The top-level module `segments` (a path as written) lands in, if it names one.
    fn resolve(&self, segments: &[String]) -> Option<String> {
        let mut module = self.module.clone();
        let mut rest = segments;
        match rest.first().map(String::as_str) {
            Some("crate" | "saasctl") => {
                module.clear();
                rest = &rest[1..];
            }
            Some("self") => rest = &rest[1..],
            Some("super") => {}
            _ => return None,
        }
        while rest.first().map(String::as_str) == Some("super") {
            module.pop()?;
            rest = &rest[1..];
        }
        module.first().or(rest.first()).cloned()
    }

    fn note(&mut self, segments: &[String], line: usize) {
        if let Some(top) = self.resolve(segments) {
            self.found.push((top, line));
        }
    }

    /// `crate :: a`, `super :: a`, … inside a macro's tokens.
    fn note_tokens(&mut self, tokens: proc_macro2::TokenStream) {
        let trees: Vec<proc_macro2::TokenTree> = tokens.into_iter().collect();
        let mut i = 0;
        while i < trees.len() {
            match &trees[i] {
                proc_macro2::TokenTree::Group(group) => self.note_tokens(group.stream()),
                proc_macro2::TokenTree::Ident(ident) => {
                    let mut segments = vec![ident.to_string()];
                    let mut j = i + 1;
                    while let (
                        Some(proc_macro2::TokenTree::Punct(a)),
                        Some(proc_macro2::TokenTree::Punct(b)),
                        Some(proc_macro2::TokenTree::Ident(next)),
                    ) = (trees.get(j), trees.get(j + 1), trees.get(j + 2))
                    {
                        if a.as_char() != ':' || b.as_char() != ':' {
                            break;
                        }
                        segments.push(next.to_string());
                        j += 3;
                    }
                    if segments.len() > 1 {
                        self.note(&segments, ident.span().start().line);
                        i = j;
                        continue;
                    }
                }
                proc_macro2::TokenTree::Punct(_) | proc_macro2::TokenTree::Literal(_) => {}
            }
            i += 1;
        }
    }

    /// Every path a `use` tree names, `prefix` being the segments above `tree`.
    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        let (ident, line) = match tree {
            syn::UseTree::Path(path) => {
                prefix.push(path.ident.to_string());
                self.use_tree(prefix, &path.tree);
                prefix.pop();
                return;
            }
            syn::UseTree::Group(group) => {
                for tree in &group.items {
                    self.use_tree(prefix, tree);
                }
                return;
            }
            syn::UseTree::Name(name) => (Some(&name.ident), name.ident.span().start().line),
            syn::UseTree::Rename(rename) => (Some(&rename.ident), rename.ident.span().start().line),
            syn::UseTree::Glob(glob) => (None, glob.star_token.spans[0].start().line),
        };
        let mut segments = prefix.clone();
        segments.extend(ident.map(ToString::to_string));
        self.note(&segments, line);
    }
}

fn is_cfg_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        attr.path().is_ident("cfg")
            && attr
                .parse_args::<syn::Meta>()
                .is_ok_and(|meta| meta.path().is_ident("test"))
    })
}

impl<'ast> Visit<'ast> for Names<'_> {
    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        if is_cfg_test(&item.attrs) {
            if item.content.is_none() {
                self.test_modules.push(item.ident.to_string());
            }
            return;
        }
        self.module.push(item.ident.to_string());
        syn::visit::visit_item_mod(self, item);
        self.module.pop();
    }

    fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
        if !is_cfg_test(&item.attrs) {
            syn::visit::visit_item_fn(self, item);
        }
    }

    fn visit_item_impl(&mut self, item: &'ast syn::ItemImpl) {
        if !is_cfg_test(&item.attrs) {
            syn::visit::visit_item_impl(self, item);
        }
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        if !is_cfg_test(&item.attrs) {
            // `use ::saasctl::…` reads as `use saasctl::…`.
            self.use_tree(&mut Vec::new(), &item.tree);
        }
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        if let Some(first) = path.segments.first() {
            self.note(&segments, first.ident.span().start().line);
        }
        syn::visit::visit_path(self, path);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        self.visit_path(&mac.path);
        self.note_tokens(mac.tokens.clone());
    }
}

/// The top-level modules `source` (the file of module `module`) names, with their lines, and
/// its out-of-line test modules.
fn names_in(module: &[&str], source: &str) -> (Vec<(String, usize)>, Vec<String>) {
    let file = syn::parse_file(source).expect("the crate's sources parse");
    let mut found = Vec::new();
    let mut test_modules = Vec::new();
    Names {
        module: module.iter().map(|m| (*m).to_owned()).collect(),
        found: &mut found,
        test_modules: &mut test_modules,
    }
    .visit_file(&file);
    (found, test_modules)
}

/// The imports of `source` that do not point down from its top-level module.
fn violations(module: &[&str], file: &str, source: &str) -> Vec<String> {
    let own = module[0];
    let Some(own_layer) = layer_of(own) else {
        return vec![format!("module `{own}` is in no layer of tests/layers.rs")];
    };
    let (names, _) = names_in(module, source);
    names
        .into_iter()
        .filter_map(|(name, line)| {
            let target = layer_of(&name)?;
            (name != own && target >= own_layer).then(|| {
                format!(
                    "{file}:{line}: `{own}` (layer {own_layer}) names `{name}` (layer {target})"
                )
            })
        })
        .collect()
}

/// Every shipped source file of the crate with its module path, following `mod` declarations
/// from `src/lib.rs` (test modules left out).
fn modules(src: &Path) -> Vec<(Vec<String>, PathBuf)> {
    let mut out = Vec::new();
    let mut stack: Vec<(Vec<String>, PathBuf)> = Vec::new();
    let lib = std::fs::read_to_string(src.join("lib.rs")).expect("read lib.rs");
    let file = syn::parse_file(&lib).expect("lib.rs parses");
    for item in &file.items {
        if let syn::Item::Mod(module) = item
            && module.content.is_none()
            && !is_cfg_test(&module.attrs)
        {
            let name = module.ident.to_string();
            let path = [
                src.join(format!("{name}.rs")),
                src.join(&name).join("mod.rs"),
            ]
            .into_iter()
            .find(|p| p.exists())
            .expect("a module's file");
            stack.push((vec![name], path));
        }
    }
    while let Some((module, path)) = stack.pop() {
        let source = std::fs::read_to_string(&path).expect("read source");
        let parts: Vec<&str> = module.iter().map(String::as_str).collect();
        let file = syn::parse_file(&source).expect("parses");
        let (_, tests) = names_in(&parts, &source);
        // A file's children live beside it (`a/mod.rs` -> `a/b.rs`) or below it (`a.rs` -> `a/b.rs`).
        let dir = if path.file_name().is_some_and(|n| n == "mod.rs") {
            path.parent().expect("dir").to_path_buf()
        } else {
            path.with_extension("")
        };
        for item in &file.items {
            if let syn::Item::Mod(child) = item
                && child.content.is_none()
                && !tests.contains(&child.ident.to_string())
                && !is_cfg_test(&child.attrs)
            {
                let name = child.ident.to_string();
                let child_path = [
                    dir.join(format!("{name}.rs")),
                    dir.join(&name).join("mod.rs"),
                ]
                .into_iter()
                .find(|p| p.exists())
                .expect("a module's file");
                let mut child_module = module.clone();
                child_module.push(name);
                stack.push((child_module, child_path));
            }
        }
        out.push((module, path));
    }
    out
}

#[test]
fn every_import_points_down() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut problems = Vec::new();
    let files = modules(&src);
    assert!(
        files.len() > 50,
        "the module walk found {} files",
        files.len()
    );
    for (module, path) in files {
        let source = std::fs::read_to_string(&path).expect("read source");
        let parts: Vec<&str> = module.iter().map(String::as_str).collect();
        let shown = path
            .strip_prefix(&src)
            .expect("under src")
            .display()
            .to_string();
        problems.extend(violations(&parts, &format!("src/{shown}"), &source));
    }
    assert!(
        problems.is_empty(),
        "imports that do not point down:\n{}",
        problems.join("\n")
    );
}

#[test]
fn every_top_level_module_has_a_layer_and_lib_rs_states_them() {
    let lib = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs"))
        .expect("read lib.rs");
    let missing: Vec<&str> = lib
        .lines()
        .filter_map(|line| line.trim().strip_prefix("pub mod "))
        .map(|rest| rest.trim_end_matches(';'))
        .filter(|module| layer_of(module).is_none())
        .collect();
    assert!(missing.is_empty(), "modules without a layer: {missing:?}");
    let stated: String = lib
        .lines()
        .filter_map(|line| line.strip_prefix("//!"))
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        stated.contains(&layers_line()),
        "src/lib.rs does not state the layers as tests/layers.rs has them: {}",
        layers_line()
    );
}

/// Each shape of an upward import is seen (`config` is below `run` and `plan`).
#[test]
fn every_shape_of_an_upward_import_is_caught() {
    let upward: [(&[&str], &str); 9] = [
        (&["config"], "use crate::run::Files;"),
        (
            &["config"],
            "use crate::{diagnostic::Diagnostic, run::Files};",
        ),
        (&["config"], "use crate::{diagnostic, run};"),
        (&["config", "load"], "use super::super::run::Files;"),
        (&["config", "load"], "use self::super::super::plan::Plan;"),
        (&["config"], "fn f() -> saasctl::run::Files { todo!() }"),
        (
            &["config"],
            "#[cfg(test)]\nmod tests;\nuse crate::run::Files;",
        ),
        (
            &["config"],
            "fn f() { crate::plan::plan(&[], &Default::default()); }",
        ),
        (
            &["config"],
            "fn f() { let _ = format!(\"{}\", crate::run::Files::default().files.len()); }",
        ),
    ];
    for (module, source) in upward {
        let found = violations(module, "seeded.rs", source);
        assert_eq!(found.len(), 1, "{module:?}: {source}: {found:?}");
    }
    // Inside a macro invocation's path, and inside an inline module.
    let found = violations(&["config"], "seeded.rs", "fn f() { crate::run::thing!(); }");
    assert_eq!(found.len(), 1, "{found:?}");
    let found = violations(
        &["config"],
        "seeded.rs",
        "mod inner { use super::super::run::X; }",
    );
    assert_eq!(found.len(), 1, "{found:?}");
    // Downward and sideways-within-a-module imports pass; test modules are not read.
    let fine = [
        (&["config"][..], "use crate::diagnostic::Diagnostic;"),
        (&["config", "load"][..], "use super::model::Config;"),
        (
            &["config"][..],
            "#[cfg(test)]\nmod tests { use crate::run::Files; }",
        ),
        (&["run"][..], "use crate::{config, plan::Plan};"),
    ];
    for (module, source) in fine {
        assert_eq!(
            violations(module, "fine.rs", source),
            Vec::<String>::new(),
            "{source}"
        );
    }
}
