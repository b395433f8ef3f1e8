//! What a use case needs from whoever runs it, without knowing who that is: progress to count,
//! lines to show as things happen, and questions to ask. The CLI draws bars and reads a
//! terminal; a test or an editor may do neither.

/// Counts the merchants of one stage as they are done; cleared when dropped.
pub trait Tick: Sync {
    fn tick(&self);
}

/// No progress shown.
impl Tick for () {
    fn tick(&self) {}
}

/// An answer to a question the use case asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Text(String),
    /// Nobody can answer: not a terminal.
    NoTerminal,
    /// Input ended before an answer.
    Ended,
}

pub trait Ui: Sync {
    /// Progress over `total` merchants in `stage` ("read", "applied").
    fn progress(&self, stage: &'static str, total: usize) -> Box<dyn Tick + '_>;

    /// A line about what is happening now (a request sent, a project created).
    fn step(&self, line: &str);

    /// Asks `question` and returns the answer, trimmed.
    fn ask(&self, question: &str) -> Result<Answer, std::io::Error>;
}
