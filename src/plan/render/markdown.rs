//! A pull-request comment: the summary first, refusals at the top, details folded.

use std::fmt::Write;

use super::text::{by_severity, change_line, summary_line, unmanaged_line, value_lines};
use crate::plan::{Action, Plan, Summary};

pub fn render(plan: &Plan) -> String {
    let mut out = String::from("### saasctl plan\n\n");
    if plan.refused {
        let _ = writeln!(out, "> [!CAUTION]\n> **{}**\n", summary_line(plan));
    } else {
        let _ = writeln!(out, "**{}**\n", summary_line(plan));
    }
    if !plan.diagnostics.is_empty() {
        out.push_str("| finding | where | message | help |\n|---|---|---|---|\n");
        for d in by_severity(plan) {
            let _ = writeln!(
                out,
                "| {} `{}` | `{}:{}:{}` | {} | {} |",
                d.severity,
                d.rule,
                d.file,
                d.line,
                d.column,
                cell(&d.message),
                cell(&d.help)
            );
        }
        out.push('\n');
    }
    for merchant in &plan.merchants {
        let changes: Vec<_> = plan.changes_of(&merchant.slug).cloned().collect();
        let s = Summary::count(&changes);
        let _ = writeln!(
            out,
            "<details><summary><b>{}</b> (<code>{}</code>): {} to create, {} to rename, {} to update</summary>\n\n```diff",
            merchant.slug, merchant.file, s.create, s.rename, s.update
        );
        for change in &changes {
            let _ = writeln!(out, "{}", change_line(change));
            if let Some(note) = change
                .note
                .as_ref()
                .filter(|_| change.action != Action::NoOp || change.adopted)
            {
                let _ = writeln!(out, "#     {note}");
            }
            for line in value_lines(change) {
                let _ = writeln!(out, "      {line}");
            }
        }
        out.push_str("```\n\n</details>\n\n");
    }
    if !plan.unmanaged.is_empty() {
        let _ = writeln!(
            out,
            "<details><summary>Unmanaged: {} (listed, never deleted)</summary>\n",
            plan.unmanaged.len()
        );
        for u in &plan.unmanaged {
            let _ = writeln!(out, "- `{}`", unmanaged_line(u));
        }
        out.push_str("\n</details>\n");
    }
    out
}

/// A table cell: no line breaks, no column separators.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}
