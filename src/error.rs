pub use crate::cli::Error;
