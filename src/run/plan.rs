//! `saasctl plan`, the use case: loads and checks the files, reads every merchant's live
//! state, plans, and saves the plan when asked and it can be applied.

use std::path::PathBuf;

use super::connect::Connector;
use super::refresh::{load_and_read, plan_merchants, refused_plan, resolve};
use super::ui::Ui;
use super::{Entry, Files, MerchantError, Shard, plan_file};
use crate::diagnostic::Severity;
use crate::plan::Plan;
use crate::rules::Allowances;

/// What to plan, and what to do with the plan.
pub struct Request {
    pub paths: Vec<PathBuf>,
    pub shard: Option<Shard>,
    pub connector: Connector,
    pub allowances: Allowances,
    /// Warnings stop the plan as errors do (and it is not saved).
    pub strict: bool,
    /// Save the plan to this file, for `saasctl apply FILE`.
    pub save_to: Option<PathBuf>,
}

/// How planning ended.
pub enum Outcome {
    /// The files have errors: nothing was read; `plan` holds their findings and no changes.
    Invalid {
        files: Files,
        plan: Plan,
    },
    Planned(Planned),
}

/// A plan of every merchant that could be read.
pub struct Planned {
    pub files: Files,
    pub plan: Plan,
    /// The merchants that could not be read, and why: the plan says nothing of them.
    pub unread: Vec<MerchantError>,
    pub saved: Saved,
}

/// What became of `Request::save_to`.
#[derive(Debug, PartialEq, Eq)]
pub enum Saved {
    NotAsked,
    Written(PathBuf),
    /// Not written: merchants could not be read, and a partial plan is never saved.
    Partial,
    /// Not written: a refused plan can never be applied.
    Refused,
    /// Not written: `strict`, and the plan has this many warnings.
    Warnings(usize),
}

impl Planned {
    /// Warnings of the plan, which `strict` turns into a failure.
    pub fn warnings(&self) -> usize {
        self.plan
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .count()
    }
}

/// Plans what `request` names; `ui` counts the merchants read.
pub async fn plan(request: Request, ui: &dyn Ui) -> Result<Outcome, PlanError> {
    let paths = Files::discover(&request.paths, request.shard)?;
    let (files, merchants, unread) = {
        let progress = ui.progress("read", paths.len());
        let entries = paths.into_iter().map(|path| Entry { path, shown: None });
        load_and_read(entries.collect(), &request.connector, &|| progress.tick()).await
    };
    request.connector.shutdown().await;
    if files.has_errors() {
        let plan = refused_plan(&files);
        return Ok(Outcome::Invalid { files, plan });
    }
    let allowances = resolve(&files, &merchants, &request.allowances)?;
    let mut plan = plan_merchants(&files, &merchants, &allowances);
    plan.unread = unread.iter().map(MerchantError::unread).collect();
    let mut planned = Planned {
        files,
        plan,
        unread,
        saved: Saved::NotAsked,
    };
    if let Some(path) = request.save_to {
        let warnings = planned.warnings();
        planned.saved = if !planned.unread.is_empty() {
            Saved::Partial
        } else if request.strict && warnings > 0 && !planned.plan.refused {
            Saved::Warnings(warnings)
        } else if planned.plan.refused {
            Saved::Refused
        } else {
            plan_file::write(&planned.plan, &path)?;
            Saved::Written(path)
        };
    }
    Ok(Outcome::Planned(planned))
}

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error(transparent)]
    Discover(#[from] crate::config::DiscoverError),
    #[error(transparent)]
    PlanFile(#[from] plan_file::PlanFileError),
    #[error(transparent)]
    Allowance(#[from] crate::plan::AllowanceError),
}
