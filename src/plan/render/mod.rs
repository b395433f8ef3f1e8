//! Renderers over the plan model: text (a terminal), markdown (a pull-request comment), json
//! (the plan file).

pub mod json;
pub mod markdown;
pub mod text;
