//! The YAML loader and validator (every offline rule) on arbitrary bytes, then the four
//! diagnostic renderers on what they found, and the three plan renderers on the file's offline
//! plan (its findings, nothing read).
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use saasctl::diagnostic::{Sources, render_github, render_human, render_json, render_sarif};
use saasctl::plan::render;
use saasctl::run::{CheckedFile, Files};

/// The loader reads files: one per fuzzing process, rewritten for each input.
fn path() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("saasctl-fuzz-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir.join("saasctl.yaml")
    })
}

fuzz_target!(|data: &[u8]| {
    std::fs::write(path(), data).expect("write the input");
    let (loaded, diagnostics) = saasctl::rules::check_file(path());
    let mut sources = Sources::default();
    sources.insert(loaded.file.clone(), &loaded.source);
    for color in [false, true] {
        render_human(&diagnostics, &sources, color);
    }
    render_json(&diagnostics);
    render_sarif(&diagnostics, saasctl::rules::catalogue());
    render_github(&diagnostics);
    let mut files = Files::default();
    files.push(CheckedFile::new(loaded, diagnostics));
    let plan = saasctl::run::refresh::refused_plan(&files);
    render::text::render(&plan, false);
    render::markdown::render(&plan);
    render::json::render(&plan);
});
