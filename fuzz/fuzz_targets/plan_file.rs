//! The plan readers (to apply: sealed; to show: any plan) on arbitrary files, and every plan
//! renderer on what they accept.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use saasctl::plan::render;

fn path() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("saasctl-fuzz-plan-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir.join("saasctl.plan")
    })
}

fuzz_target!(|data: &[u8]| {
    std::fs::write(path(), data).expect("write the input");
    let _ = saasctl::run::plan_file::read(path());
    if let Ok(plan) = saasctl::run::plan_file::read_to_show(path()) {
        let _ = saasctl::run::plan_file::config_paths(&plan, path(), &[]);
        render::text::render(&plan, false);
        render::markdown::render(&plan);
        render::json::render(&plan);
    }
});
