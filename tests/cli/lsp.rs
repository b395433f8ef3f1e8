//! `saasctl lsp` under a client no one here wrote: Neovim's built-in LSP client, headless
//! (installed from Debian when missing). Each test runs a Lua scenario (tests/cli/lsp.lua has
//! its helpers) and reads what Neovim received, as JSON.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{repo, saasctl, scrubbed, stdout, write_private};

/// Runs `scenario` (Lua, after tests/cli/lsp.lua) in a headless Neovim, with the server's
/// workspace at `root`; returns what the scenario recorded.
fn neovim(root: &Path, scenario: &str) -> Value {
    crate::apt::ensure("nvim", "neovim");
    let out = root.join(".neovim-result.json");
    let script = root.join(".scenario.lua");
    let lua = format!(
        "Saasctl = [==[{}]==]\nOut = [==[{}]==]\nRoot = [==[{}]==]\n{}\nlocal ok, err = pcall(function()\n{scenario}\nend)\nif not ok then result.lua_error = tostring(err) end\nfinish()\n",
        env!("CARGO_BIN_EXE_saasctl"),
        out.display(),
        root.display(),
        include_str!("lsp.lua"),
    );
    std::fs::write(&script, lua).unwrap();
    let mut nvim = scrubbed("nvim")
        .args(["--headless", "--clean", "-n", "-i", "NONE", "-c"])
        .arg(format!("luafile {}", script.display()))
        .current_dir(root)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start nvim");
    let deadline = Instant::now() + Duration::from_secs(60);
    while nvim.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            nvim.kill().unwrap();
            nvim.wait().unwrap();
            panic!("nvim did not finish the scenario in 60 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let text = std::fs::read_to_string(&out).expect("the scenario wrote no result");
    let result: Value = serde_json::from_str(&text).unwrap();
    assert!(result.get("lua_error").is_none(), "{result:#}");
    result
}

/// A temporary directory, and its path with symbolic links resolved (as the server sees it).
fn temp_root() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    (dir, root)
}

fn quickstart() -> String {
    std::fs::read_to_string(repo().join("examples/quickstart/saasctl.yaml")).unwrap()
}

/// The quickstart example, its staging environment bound to the production data space.
fn staging_on_production(dir: &Path) -> String {
    let yaml = quickstart().replace(
        "tier: staging\n    data_space: staging",
        "tier: staging\n    data_space: live",
    );
    std::fs::write(dir.join("saasctl.yaml"), &yaml).unwrap();
    yaml
}

/// The diagnostics of `rule` in the last publication for `file`.
fn last_published<'a>(result: &'a Value, file: &Path, rule: &str) -> Vec<&'a Value> {
    let uri = format!("file://{}", file.display());
    result["published"]
        .as_array()
        .unwrap()
        .iter()
        .rfind(|p| p["uri"] == uri.as_str())
        .map(|p| {
            p["diagnostics"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| d["code"] == rule)
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn sc002_at_the_data_space_value_then_cleared_by_the_fixing_edit() {
    let (_dir, root) = temp_root();
    let yaml = staging_on_production(&root);
    let file = root.join("saasctl.yaml");
    let result = neovim(
        &root,
        &format!(
            r#"
start(Root)
local buffer = open([==[{file}]==])
result.found = wait_for([==[{file}]==], has_rule('SC002'))
-- The fix: the staging environment on the staging data space.
for i, line in ipairs(lines(buffer)) do
  if line == '    data_space: live' and lines(buffer)[i - 1] == '    tier: staging' then
    vim.api.nvim_buf_set_lines(buffer, i - 1, i, false, {{'    data_space: staging'}})
  end
end
result.fixed = wait_for([==[{file}]==], lacks_rule('SC002'))
"#,
            file = file.display()
        ),
    );
    let found = &result["found"];
    let sc002: Vec<&Value> = found["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "SC002")
        .collect();
    assert_eq!(sc002.len(), 1, "{result:#}");
    // The `live` of `data_space: live` on the line after `tier: staging`.
    let line = yaml.lines().position(|l| l == "    tier: staging").unwrap() + 1;
    let expected = serde_json::json!({
        "start": {"line": line, "character": 16},
        "end": {"line": line, "character": 20},
    });
    assert_eq!(sc002[0]["range"], expected, "{:#}", sc002[0]);
    assert_eq!(sc002[0]["severity"], 1);
    assert_eq!(sc002[0]["source"], "saasctl");
    assert_eq!(
        sc002[0]["codeDescription"]["href"],
        "https://github.com/saasctl/saasctl/blob/main/docs/rules.md#sc002"
    );
    let within = found["ms"].as_f64().unwrap() - result["opened_ms"].as_f64().unwrap();
    assert!(within < 2000.0, "SC002 came {within} ms after opening");
    assert!(
        last_published(&result, &file, "SC002").is_empty(),
        "{:#}",
        result["fixed"]
    );
}

/// Two merchant files of one account and project: `outlet.yaml`'s environment serves
/// website `base` on the data space `shop.yaml`'s staging serves it on.
fn shared_data_space(root: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let merchant = |environment: &str, website: &str| {
        format!(
            "version: 1\naccount:\n  license: adobe-commerce\nkeys:\n  production:\n    api_key: {{env: LUMA_API_KEY}}\n    private_key: {{file: keys/production.pem}}\nproject:\n  name: Luma\n  data_spaces:\n    live: {{type: production, name: Luma Production}}\n    shared: {{type: testing, name: Luma Shared}}\nenvironments:\n  {environment}:\n    tier: staging\n    data_space: shared\n    websites: [{website}]\n"
        )
    };
    let shop = root.join("shop.yaml");
    let outlet = root.join("outlet.yaml");
    std::fs::write(&shop, merchant("staging", "base")).unwrap();
    std::fs::write(&outlet, merchant("outlet_staging", "outlet")).unwrap();
    (shop, outlet)
}

#[test]
fn a_website_code_repeated_in_a_second_file_shows_sc003_in_both() {
    let (_dir, root) = temp_root();
    let (shop, outlet) = shared_data_space(&root);
    let result = neovim(
        &root,
        &format!(
            r#"
start(Root)
local buffer = open([==[{outlet}]==])
result.before = wait_for([==[{outlet}]==], function() return true end)
-- The outlet's staging serves `base` too, unsaved.
for i, line in ipairs(lines(buffer)) do
  if line == '    websites: [outlet]' then
    vim.api.nvim_buf_set_lines(buffer, i - 1, i, false, {{'    websites: [base]'}})
  end
end
result.outlet = wait_for([==[{outlet}]==], has_rule('SC003'))
result.shop = wait_for([==[{shop}]==], has_rule('SC003'))
"#,
            outlet = outlet.display(),
            shop = shop.display()
        ),
    );
    let sc003 = |file: &Path| last_published(&result, file, "SC003");
    let (in_outlet, in_shop) = (sc003(&outlet), sc003(&shop));
    assert_eq!((in_outlet.len(), in_shop.len()), (1, 1), "{result:#}");
    let websites = |line: usize| {
        serde_json::json!({
            "start": {"line": line, "character": 15},
            "end": {"line": line, "character": 19},
        })
    };
    assert_eq!(in_outlet[0]["range"], websites(16), "{:#}", in_outlet[0]);
    assert_eq!(in_shop[0]["range"], websites(16), "{:#}", in_shop[0]);
    assert!(
        in_shop[0]["message"]
            .as_str()
            .unwrap()
            .contains("also served by environment `outlet_staging`"),
        "{:#}",
        in_shop[0]
    );
    // The shop's finding points at the outlet's unsaved line.
    let related = &in_shop[0]["relatedInformation"][0]["location"];
    assert_eq!(related["uri"], format!("file://{}", outlet.display()));
    assert_eq!(related["range"], websites(16));
    // The file on disk never changed: the edit was the editor's only.
    assert!(
        std::fs::read_to_string(&outlet)
            .unwrap()
            .contains("[outlet]")
    );
}

/// The 0-based line of the first line of `text` that is `line`.
fn line_of(text: &str, line: &str) -> usize {
    text.lines().position(|l| l == line).unwrap()
}

#[test]
fn hover_explains_the_finding_and_resolves_references() {
    let (_dir, root) = temp_root();
    let yaml = staging_on_production(&root);
    let file = root.join("saasctl.yaml");
    // `qa` in qa's `data_space: qa`, and its declaration's key.
    let reference = line_of(&yaml, "    data_space: qa");
    let declaration = line_of(&yaml, "    qa: {type: testing, name: Luma QA}");
    let result = neovim(
        &root,
        &format!(
            r#"
start(Root)
local buffer = open([==[{file}]==])
local found = wait_for([==[{file}]==], has_rule('SC002'))
for _, d in ipairs(found.diagnostics) do
  if d.code == 'SC002' then
    result.finding = request(buffer, 'textDocument/hover', position_params(buffer, d.range.start.line, d.range.start.character + 1))
  end
end
result.space = request(buffer, 'textDocument/hover', position_params(buffer, {reference}, 17))
result.definition = request(buffer, 'textDocument/definition', position_params(buffer, {reference}, 17))
"#,
            file = file.display()
        ),
    );
    let explain = saasctl().args(["explain", "SC002"]).output().unwrap();
    let explain = stdout(&explain);
    let (about, _) = explain.split_once("\n\nExample that fires:").unwrap();
    // SC001 is reported at the same node: one section per rule.
    let hover = result["finding"]["contents"]["value"].as_str().unwrap();
    let sc002 = format!(
        "{about}\n\n[SC002](https://github.com/saasctl/saasctl/blob/main/docs/rules.md#sc002)"
    );
    assert!(
        hover.split("\n\n---\n\n").any(|section| section == sc002),
        "{hover}"
    );
    let space = result["space"]["contents"]["value"].as_str().unwrap();
    assert_eq!(
        space,
        format!(
            "data space `qa`, declared on line {}:\n\n```yaml\n    qa: {{type: testing, name: Luma QA}}\n```",
            declaration + 1
        )
    );
    let definition = &result["definition"];
    assert_eq!(definition["uri"], format!("file://{}", file.display()));
    assert_eq!(
        definition["range"],
        serde_json::json!({
            "start": {"line": declaration, "character": 4},
            "end": {"line": declaration, "character": 6},
        })
    );
}

#[test]
fn secrets_are_read_only_when_the_editor_opts_in() {
    let (_dir, root) = temp_root();
    std::fs::create_dir(root.join("keys")).unwrap();
    write_private(
        &root.join("keys/production.pem"),
        include_str!("../fixtures/keys/weak-1024.pem"),
    );
    // The API key file is missing.
    let yaml = quickstart().replace("    gateway: embedded\n", "");
    let file = root.join("saasctl.yaml");
    std::fs::write(&file, &yaml).unwrap();
    let sc007 = |options: &str| -> Vec<Value> {
        let result = neovim(
            &root,
            &format!(
                r#"
start(Root, {options})
open([==[{file}]==])
wait_for([==[{file}]==], has_rule('SC007'))
"#,
                file = file.display()
            ),
        );
        last_published(&result, &file, "SC007")
            .into_iter()
            .cloned()
            .collect()
    };
    let value = |line: &str| {
        let at = line_of(&yaml, line);
        let start = line.find('{').unwrap();
        serde_json::json!({
            "start": {"line": at, "character": start},
            "end": {"line": at, "character": line.len()},
        })
    };

    // Not read: one note that the keys were not checked, no error.
    let unread = sc007("nil");
    assert_eq!(unread.len(), 1, "{unread:#?}");
    assert_eq!(unread[0]["severity"], 3, "{:#}", unread[0]);

    let read = sc007("{readSecrets = true}");
    let errors: Vec<(&Value, &str)> = read
        .iter()
        .map(|d| (&d["range"], d["message"].as_str().unwrap()))
        .collect();
    assert_eq!(read.len(), 2, "{read:#?}");
    assert!(read.iter().all(|d| d["severity"] == 1), "{read:#?}");
    assert_eq!(
        errors[0].0,
        &value("    api_key: {file: keys/production.api-key}")
    );
    assert_eq!(
        errors[1].0,
        &value("    private_key: {file: keys/production.pem}")
    );
    assert!(errors[1].1.contains("1024 bits"), "{}", errors[1].1);
}

#[test]
fn code_actions_fix_a_typo_list_a_previous_name_and_ignore_a_warning() {
    let (_dir, root) = temp_root();
    let quickstart = quickstart();
    let typo = root.join("typo.yaml");
    let typo_yaml = quickstart.replace("  data_spaces:", "  data_spacs:");
    std::fs::write(&typo, &typo_yaml).unwrap();
    // Another project (the same one twice would be SC003 across the files); qa on a
    // production tier: SC010, a warning.
    let other = root.join("other.yaml");
    let other_yaml = quickstart
        .replace("name: Luma Quickstart", "name: Luma Other")
        .replace("  qa:\n    tier: testing", "  qa:\n    tier: production");
    std::fs::write(&other, &other_yaml).unwrap();
    let typo_line = line_of(&typo_yaml, "  data_spacs:");
    let space_line = line_of(
        &other_yaml,
        "    staging: {type: testing, name: Luma Staging}",
    );
    let qa_line = line_of(&other_yaml, "    data_space: qa");
    let result = neovim(
        &root,
        &format!(
            r#"
start(Root)
local buffer = open([==[{typo}]==])
wait_for([==[{typo}]==], has_rule('SC000'))
result.typo_titles, result.typo_applied = apply_action(buffer, {typo_line}, 'did you mean `data_spaces`')
result.typo_after = wait_for([==[{typo}]==], lacks_rule('SC000'))
result.typo_lines = lines(buffer)

buffer = open([==[{other}]==])
wait_for([==[{other}]==], has_rule('SC010'))
vim.api.nvim_buf_set_lines(buffer, {space_line}, {space_line} + 1, false, {{'    staging: {{type: testing, name: Luma Stage}}'}})
vim.wait(300)
result.rename_titles, result.rename_applied = apply_action(buffer, {space_line}, 'add `previous_names: [Luma Staging]`')
result.ignore_titles, result.ignore_applied = apply_action(buffer, {qa_line}, 'ignore SC010')
result.ignore_after = wait_for([==[{other}]==], has_rule('SC013'))
result.other_lines = lines(buffer)
"#,
            typo = typo.display(),
            other = other.display(),
        ),
    );
    assert_eq!(result["typo_applied"], true, "{result:#}");
    assert_eq!(
        result["typo_lines"][typo_line], "  data_spaces:",
        "{:#}",
        result["typo_lines"]
    );
    assert!(
        last_published(&result, &typo, "SC000").is_empty(),
        "{result:#}"
    );

    assert_eq!(
        result["rename_applied"], true,
        "{:#}",
        result["rename_titles"]
    );
    assert_eq!(
        result["other_lines"][space_line],
        "    staging: {type: testing, name: Luma Stage, previous_names: [Luma Staging]}"
    );
    assert_eq!(
        result["ignore_applied"], true,
        "{:#}",
        result["ignore_titles"]
    );
    assert_eq!(
        result["other_lines"][qa_line],
        "    data_space: qa  # saasctl: ignore[SC010]"
    );
    // Without a reason the comment lifts nothing: SC013 asks for one, SC010 stays.
    assert!(
        !last_published(&result, &other, "SC010").is_empty(),
        "{result:#}"
    );
    let sc013 = last_published(&result, &other, "SC013");
    assert!(
        sc013[0]["message"]
            .as_str()
            .unwrap()
            .contains("gives no reason"),
        "{sc013:#?}"
    );
}
