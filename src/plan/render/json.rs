//! The plan file format: the model as pretty JSON, as saved by `plan --out`.

use crate::plan::Plan;

pub fn render(plan: &Plan) -> String {
    // The model has string map keys only, so serialising cannot fail.
    let mut out = serde_json::to_string_pretty(plan).expect("the plan serialises to JSON");
    out.push('\n');
    out
}
