//! The terminal rendering, Terraform-like: refusals first, then each merchant's changes
//! (`+` create, `~` rename or update, `=` no-op), the unmanaged objects, and the summary line.
//! Every line that holds a name, a path, a value or a message is escaped
//! ([`escape::text`]): nothing read can colour the terminal or start a line of its own.

use std::fmt::Write;

use anstyle::{AnsiColor, Style};

use crate::diagnostic::JsonDiagnostic;
use crate::diagnostic::escape;
use crate::plan::{Action, Change, Object, Plan, Unmanaged};

pub fn render(plan: &Plan, color: bool) -> String {
    let paint = |style: Style, text: &str| {
        if color {
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text.to_owned()
        }
    };
    let red = Style::new().fg_color(Some(AnsiColor::Red.into())).bold();
    let mut out = String::new();
    if !plan.unread.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            paint(red, "Not read (this plan says nothing of them):")
        );
        for unread in &plan.unread {
            let line = format!("{}: {}", unread.file, unread.reason);
            let _ = writeln!(out, "  {}", escape::text(&line));
        }
        out.push('\n');
    }
    let allowed = plan.allowances.flags();
    if !allowed.is_empty() {
        let _ = writeln!(out, "Allowed on the command line: {}\n", allowed.join(", "));
    }
    if plan.refused {
        let _ = writeln!(
            out,
            "{}\n",
            paint(
                red,
                &format!("Refused: {}; nothing will be applied.", errors(plan))
            )
        );
    }
    for d in by_severity(plan) {
        let _ = writeln!(out, "{}", diagnostic_line(d));
        if !d.help.is_empty() {
            let _ = writeln!(out, "  help: {}", escape::text(&d.help));
        }
    }
    if !plan.diagnostics.is_empty() {
        out.push('\n');
    }
    for merchant in &plan.merchants {
        let header = format!("{} ({})", merchant.slug, merchant.file);
        let _ = writeln!(out, "{}", escape::text(&header));
        for change in plan.changes_of(&merchant.slug) {
            let line = change_line(change);
            let style = match change.action {
                Action::Create => Style::new().fg_color(Some(AnsiColor::Green.into())),
                Action::Rename | Action::Update => {
                    Style::new().fg_color(Some(AnsiColor::Yellow.into()))
                }
                Action::NoOp => Style::new().dimmed(),
            };
            let _ = writeln!(out, "  {}", paint(style, &line));
            if let Some(note) = change.note.as_ref().filter(|_| change.shows_note()) {
                let _ = writeln!(out, "      {}", escape::text(note));
            }
            for line in value_lines(change) {
                let _ = writeln!(out, "      {line}");
            }
        }
        out.push('\n');
    }
    if !plan.unmanaged.is_empty() {
        let _ = writeln!(out, "Unmanaged (listed, never deleted):");
        for u in &plan.unmanaged {
            let _ = writeln!(out, "  {}", unmanaged_line(u));
        }
        out.push('\n');
    }
    let _ = writeln!(out, "{}", summary_line(plan));
    out
}

/// `Plan: 1 to create, 2 to rename, 0 to update.`, `No changes.`, or the refusal.
/// With merchants not read, it says so first, and never "No changes.".
pub fn summary_line(plan: &Plan) -> String {
    let s = &plan.summary;
    let counts = format!(
        "{} to create, {} to rename, {} to update",
        s.create, s.rename, s.update
    );
    if !plan.unread.is_empty() {
        let total = plan.merchants.len() + plan.unread.len();
        let unread = format!(
            "{} of {total} merchant{} could not be read",
            plan.unread.len(),
            if total == 1 { "" } else { "s" }
        );
        return if plan.refused {
            format!("{unread}; the others' plan is refused: {}.", errors(plan))
        } else if plan.merchants.is_empty() {
            format!("{unread}: nothing was planned.")
        } else {
            format!("{unread}; the others: {counts}.")
        };
    }
    if plan.refused {
        return format!("Plan refused: {}; nothing will be applied.", errors(plan));
    }
    if !plan.has_changes() {
        return "No changes.".to_owned();
    }
    format!("Plan: {counts}.")
}

/// The findings, errors first (they are why a plan is refused), each severity in file order.
pub fn by_severity(plan: &Plan) -> Vec<&JsonDiagnostic> {
    let mut list: Vec<&JsonDiagnostic> = plan.diagnostics.iter().collect();
    list.sort_by_key(|d| std::cmp::Reverse(d.severity));
    list
}

/// `2 errors`: how many error-severity findings refuse the plan.
pub fn errors(plan: &Plan) -> String {
    let n = plan.diagnostics.iter().filter(|d| d.is_error()).count();
    format!("{n} error{}", if n == 1 { "" } else { "s" })
}

/// `error[SC024] saasctl.yaml:12:5: message`
pub fn diagnostic_line(d: &JsonDiagnostic) -> String {
    let line = format!(
        "{}[{}] {}:{}:{}: {}",
        d.severity, d.rule, d.file, d.line, d.column, d.message
    );
    escape::text(&line).into_owned()
}

/// One change on one line, without colour, e.g.
/// `~ data_space.luma.staging: "Testing 1" -> "Luma Staging" (77aa…), adopted`.
/// An installation update, path by path: `path: before -> after`.
pub fn value_lines(change: &Change) -> Vec<String> {
    change
        .values
        .iter()
        .map(|value| {
            let mut line = format!(
                "{}: {} -> {}",
                value.path,
                value.before.as_deref().unwrap_or("(not set)"),
                value.after.as_deref().unwrap_or("(known after apply)")
            );
            if let Some(reason) = value.reason {
                line.push_str(&format!(" ({reason})"));
            }
            escape::text(&line).into_owned()
        })
        .collect()
}

pub fn change_line(change: &Change) -> String {
    let sign = match change.action {
        Action::Create => "+",
        Action::Rename | Action::Update => "~",
        Action::NoOp => "=",
    };
    let what = match (&change.before, &change.after) {
        (_, Some(Object::Binding(b))) => {
            let id = b.data_space_id.as_deref().unwrap_or("id not known yet");
            let websites = if b.websites.is_empty() {
                "none".to_owned()
            } else {
                b.websites.join(", ")
            };
            format!(
                "{} -> data space `{}` {} ({id}), key set {}, websites {websites}",
                b.tier.as_str(),
                b.data_space,
                escape::quoted(b.data_space_name.as_deref().unwrap_or("?")),
                b.key_set.as_str(),
            )
        }
        (Some(Object::Named(before)), Some(Object::Named(after))) if before.name != after.name => {
            format!(
                "{} -> {} ({})",
                escape::quoted(&before.name),
                escape::quoted(&after.name),
                after.id.as_deref().unwrap_or("")
            )
        }
        (_, Some(Object::Named(after))) => match &after.id {
            Some(id) => format!("{} ({id})", escape::quoted(&after.name)),
            None => escape::quoted(&after.name),
        },
        _ => String::new(),
    };
    let kind = match &change.after {
        Some(Object::Named(n)) => n
            .kind
            .map(|k| format!("{} ", k.as_str()))
            .unwrap_or_default(),
        _ => String::new(),
    };
    let adopted = if change.adopted { ", adopted" } else { "" };
    let line = format!("{sign} {}: {kind}{what}{adopted}", change.address);
    escape::text(&line).into_owned()
}

/// `? data_space "Testing 2" (id) of project (id), seen by luma`
pub fn unmanaged_line(u: &Unmanaged) -> String {
    let mut line = match u.data_space_type {
        Some(kind) => format!(
            "? {} data space {} ({})",
            kind.as_str(),
            escape::quoted(&u.name),
            u.id
        ),
        None => format!("? project {} ({})", escape::quoted(&u.name), u.id),
    };
    if let Some(project) = &u.project_id {
        let _ = write!(line, " of project {project}");
    }
    let _ = write!(line, ", seen by {}", u.merchant);
    escape::text(&line).into_owned()
}
