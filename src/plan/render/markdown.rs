//! A pull-request comment: a hidden marker (so a rerun edits the same comment), the summary
//! first, data-loss warnings and refusals on top, one folded section per merchant, and never
//! longer than GitHub accepts: whole merchant sections are left out from the end, with a note
//! pointing at the saved plan. What was read (names, paths, messages) is escaped
//! ([`escape`]): it cannot end a block, start a line, or add markup to the comment.

use std::fmt::Write;

use super::text::{by_severity, change_line, summary_line, unmanaged_line, value_lines};
use crate::diagnostic::escape::{self, html, markdown_cell as cell, markdown_code as code};
use crate::magento::binding::PATH_ENVIRONMENT_ID;
use crate::plan::{Action, Change, Kind, Plan, Summary};

/// The first line of every comment: pipelines find the comment to update by it.
pub const MARKER: &str = "<!-- saasctl-plan -->";

/// The longest comment body GitHub accepts, in characters; bytes are counted, which is never
/// fewer.
pub const COMMENT_LIMIT: usize = 65_536;

/// The plan as a comment of at most [`COMMENT_LIMIT`] bytes.
pub fn render(plan: &Plan) -> String {
    render_within(plan, COMMENT_LIMIT)
}

/// The plan as a comment of at most `limit` bytes (as long as the summary itself fits).
pub fn render_within(plan: &Plan, limit: usize) -> String {
    let parts = Parts::of(plan);
    let whole = parts.assemble(&Kept::all(&parts), None);
    if whole.len() <= limit {
        return whole;
    }
    // What is left out is said in a note; room for the longest one is kept.
    let budget = limit
        .saturating_sub(parts.head.len())
        .saturating_sub(note(&Left::worst()).len());
    let kept = Kept::within(&parts, budget);
    let left = Left {
        losses: parts.losses.len() - kept.losses,
        findings: parts.findings.len() - kept.findings,
        merchants: parts.merchants.len() - kept.merchants,
        merchants_total: parts.merchants.len(),
        unmanaged: !parts.unmanaged.is_empty() && !kept.unmanaged,
    };
    parts.assemble(&kept, Some(&note(&left)))
}

/// The comment's pieces, each rendered once; the droppable ones in lists.
struct Parts {
    /// Marker, title and summary line: always shown.
    head: String,
    /// One line per installation that would move to another data space.
    losses: Vec<String>,
    /// One table row per finding, errors first.
    findings: Vec<String>,
    /// One folded section per merchant.
    merchants: Vec<String>,
    /// The folded list of unmanaged objects, or empty.
    unmanaged: String,
}

const LOSS_HEAD: &str = "> [!WARNING]\n> **Data loss**: these installations move to another data space. Each loses access to the data stored in the old one, and its feeds must be resent (`bin/magento saas:resync --feed NAME --cleanup-feed`) after the apply.\n>\n";
const FINDING_HEAD: &str = "| finding | where | message | help |\n|---|---|---|---|\n";

/// How much of each list is kept (prefixes, so whole sections go from the end).
struct Kept {
    losses: usize,
    findings: usize,
    merchants: usize,
    unmanaged: bool,
}

impl Kept {
    fn all(parts: &Parts) -> Self {
        Kept {
            losses: parts.losses.len(),
            findings: parts.findings.len(),
            merchants: parts.merchants.len(),
            unmanaged: !parts.unmanaged.is_empty(),
        }
    }

    /// The longest prefixes that fit `budget` bytes, in the order of importance: data-loss
    /// warnings, findings, merchants, unmanaged objects.
    fn within(parts: &Parts, mut budget: usize) -> Self {
        let mut prefix = |items: &[String], overhead: usize| {
            let mut kept = 0;
            let mut used = overhead;
            for item in items {
                if used + item.len() > budget {
                    break;
                }
                used += item.len();
                kept += 1;
            }
            if kept > 0 {
                budget -= used;
            }
            kept
        };
        let losses = prefix(&parts.losses, LOSS_HEAD.len() + 1);
        let findings = prefix(&parts.findings, FINDING_HEAD.len() + 1);
        let merchants = prefix(&parts.merchants, 0);
        let unmanaged = prefix(std::slice::from_ref(&parts.unmanaged), 0) == 1;
        Kept {
            losses,
            findings,
            merchants,
            unmanaged,
        }
    }
}

/// What was left out, for the note.
struct Left {
    losses: usize,
    findings: usize,
    merchants: usize,
    merchants_total: usize,
    unmanaged: bool,
}

impl Left {
    /// The longest note there can be.
    fn worst() -> Self {
        Left {
            losses: usize::MAX,
            findings: usize::MAX,
            merchants: usize::MAX,
            merchants_total: usize::MAX,
            unmanaged: true,
        }
    }
}

fn note(left: &Left) -> String {
    let mut out: Vec<String> = Vec::new();
    if left.merchants > 0 {
        out.push(format!(
            "{} of {} merchant sections",
            left.merchants, left.merchants_total
        ));
    }
    if left.losses > 0 {
        out.push(format!("{} data-loss warnings", left.losses));
    }
    if left.findings > 0 {
        out.push(format!("{} findings", left.findings));
    }
    if left.unmanaged {
        out.push("the unmanaged objects".to_owned());
    }
    format!(
        "> [!NOTE]\n> Left out to stay within GitHub's comment limit: {}. The whole plan is in the saved plan file (the pipeline's plan artifact): `saasctl show PLANFILE` prints it.\n",
        out.join(", ")
    )
}

impl Parts {
    fn of(plan: &Plan) -> Self {
        let mut head = format!("{MARKER}\n### saasctl plan\n\n");
        if !plan.unread.is_empty() {
            let _ = writeln!(
                head,
                "> [!WARNING]\n> **Not read: this plan says nothing of these merchants.**\n>"
            );
            for unread in &plan.unread {
                let _ = writeln!(head, "> - {}: {}", code(&unread.file), cell(&unread.reason));
            }
            head.push('\n');
        }
        let allowed = plan.allowances.flags();
        if !allowed.is_empty() {
            let allowed: Vec<String> = allowed.iter().map(|flag| code(flag)).collect();
            let _ = writeln!(
                head,
                "> [!IMPORTANT]\n> **Allowed on the command line:** {}\n",
                allowed.join(", ")
            );
        }
        if plan.refused || !plan.unread.is_empty() {
            let _ = writeln!(head, "> [!CAUTION]\n> **{}**\n", summary_line(plan));
        } else {
            let _ = writeln!(head, "**{}**\n", summary_line(plan));
        }
        let losses = plan
            .changes
            .iter()
            .filter_map(|change| {
                moved_from(change).map(|(before, after)| {
                    format!(
                        "> - {} ({}): {} -> {}\n",
                        code(&change.address),
                        code(file_of(plan, change)),
                        cell(before),
                        cell(after),
                    )
                })
            })
            .collect();
        // Waived findings follow the others: reviewers see what a comment accepted, and why.
        let findings = by_severity(plan)
            .into_iter()
            .map(|d| (d.severity.to_string(), d, cell(&d.help)))
            .chain(plan.ignored.iter().map(|d| {
                let reason = format!("ignored: {}", cell(d.reason.as_deref().unwrap_or("")));
                (format!("ignored {}", d.severity), d, reason)
            }))
            .map(|(severity, d, help)| {
                format!(
                    "| {severity} `{}` | {} | {} | {help} |\n",
                    d.rule,
                    code(&format!("{}:{}:{}", d.file, d.line, d.column)),
                    cell(&d.message),
                )
            })
            .collect();
        let merchants = plan
            .merchants
            .iter()
            .map(|merchant| {
                let changes: Vec<_> = plan.changes_of(&merchant.slug).cloned().collect();
                let s = Summary::count(&changes);
                let mut out = format!(
                    "<details><summary><b>{}</b> (<code>{}</code>): {} to create, {} to rename, {} to update</summary>\n\n",
                    html(&merchant.slug), html(&merchant.file), s.create, s.rename, s.update
                );
                // Every line escaped: none can end the block, whatever a name holds.
                let mut diff = String::new();
                for change in &changes {
                    let _ = writeln!(diff, "{}", change_line(change));
                    if let Some(note) = change.note.as_ref().filter(|_| change.shows_note())
                    {
                        let _ = writeln!(diff, "#     {}", escape::text(note));
                    }
                    for line in value_lines(change) {
                        let _ = writeln!(diff, "      {line}");
                    }
                }
                out.push_str(&escape::markdown_fence("diff", &diff));
                out.push_str("\n</details>\n\n");
                out
            })
            .collect();
        let mut unmanaged = String::new();
        if !plan.unmanaged.is_empty() {
            let _ = writeln!(
                unmanaged,
                "<details><summary>Unmanaged: {} (listed, never deleted)</summary>\n",
                plan.unmanaged.len()
            );
            for u in &plan.unmanaged {
                let _ = writeln!(unmanaged, "- {}", code(&unmanaged_line(u)));
            }
            unmanaged.push_str("\n</details>\n");
        }
        Parts {
            head,
            losses,
            findings,
            merchants,
            unmanaged,
        }
    }

    fn assemble(&self, kept: &Kept, note: Option<&str>) -> String {
        let mut out = self.head.clone();
        if kept.losses > 0 {
            out.push_str(LOSS_HEAD);
            self.losses[..kept.losses]
                .iter()
                .for_each(|l| out.push_str(l));
            out.push('\n');
        }
        if kept.findings > 0 {
            out.push_str(FINDING_HEAD);
            self.findings[..kept.findings]
                .iter()
                .for_each(|f| out.push_str(f));
            out.push('\n');
        }
        self.merchants[..kept.merchants]
            .iter()
            .for_each(|m| out.push_str(m));
        if kept.unmanaged {
            out.push_str(&self.unmanaged);
        }
        if let Some(note) = note {
            if !out.ends_with("\n\n") {
                out.push('\n');
            }
            out.push_str(note);
        }
        out
    }
}

/// An installation that would move from one data space to another: the ids, before and after.
fn moved_from(change: &Change) -> Option<(&str, &str)> {
    if change.kind != Kind::Environment || change.action != Action::Update {
        return None;
    }
    let value = change
        .values
        .iter()
        .find(|v| v.path == PATH_ENVIRONMENT_ID)?;
    let before = value.before.as_deref()?;
    let after = value
        .after
        .as_deref()
        .unwrap_or("a data space still to be created");
    (before != after).then_some((before, after))
}

fn file_of<'a>(plan: &'a Plan, change: &Change) -> &'a str {
    plan.merchants
        .iter()
        .find(|m| m.slug == change.merchant)
        .map_or("", |m| m.file.as_str())
}
