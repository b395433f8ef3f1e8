//! Seeded fault injection for the registry routes: latency, 5xx, 429, and answers lost after
//! the change was committed.

use std::sync::Mutex;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

/// Which faults to inject, and how often (rates are probabilities per request, 0 to 1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Faults {
    pub latency: Duration,
    /// Extra latency, uniform in `0..=jitter`.
    pub jitter: Duration,
    /// Answer 503 with an error body.
    pub fail_rate: f64,
    /// Answer 429 with `Retry-After: retry_after_secs`.
    pub throttle_rate: f64,
    pub retry_after_secs: u64,
    /// Apply a change, persist it, then close the connection without an answer.
    pub drop_after_commit_rate: f64,
    /// Seeds the draws, so that a sequence of requests meets the same faults every run.
    pub seed: u64,
}

impl Default for Faults {
    fn default() -> Self {
        Self {
            latency: Duration::ZERO,
            jitter: Duration::ZERO,
            fail_rate: 0.0,
            throttle_rate: 0.0,
            retry_after_secs: 1,
            drop_after_commit_rate: 0.0,
            seed: 0,
        }
    }
}

/// A rate outside 0..=1.
#[derive(Debug, thiserror::Error)]
#[error("{name} must be between 0 and 1, not {value}")]
pub struct RateError {
    pub name: &'static str,
    pub value: f64,
}

impl Faults {
    pub fn validate(&self) -> Result<(), RateError> {
        for (name, value) in [
            ("fail rate", self.fail_rate),
            ("throttle rate", self.throttle_rate),
            ("drop-after-commit rate", self.drop_after_commit_rate),
        ] {
            if !(0.0..=1.0).contains(&value) {
                return Err(RateError { name, value });
            }
        }
        Ok(())
    }
}

/// What happens to one request.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Fate {
    pub delay: Duration,
    pub fail: bool,
    pub throttle: bool,
    pub drop_after_commit: bool,
}

/// The seeded source of fates.
#[derive(Debug)]
pub(crate) struct Dice {
    faults: Faults,
    rng: Mutex<StdRng>,
}

impl Dice {
    pub fn new(faults: Faults) -> Self {
        Self {
            rng: Mutex::new(StdRng::seed_from_u64(faults.seed)),
            faults,
        }
    }

    pub fn retry_after_secs(&self) -> u64 {
        self.faults.retry_after_secs
    }

    /// Draws the same number of values for every request, so the n-th request's fate depends
    /// only on the seed.
    pub fn roll(&self) -> Fate {
        let mut rng = self.rng.lock().unwrap_or_else(|e| e.into_inner());
        let jitter_ms = u64::try_from(self.faults.jitter.as_millis()).unwrap_or(u64::MAX);
        let extra = Duration::from_millis(rng.random_range(0..=jitter_ms));
        let (fail, throttle, drop): (f64, f64, f64) = (rng.random(), rng.random(), rng.random());
        Fate {
            delay: self.faults.latency + extra,
            fail: fail < self.faults.fail_rate,
            throttle: throttle < self.faults.throttle_rate,
            drop_after_commit: drop < self.faults.drop_after_commit_rate,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_fates() {
        let faults = Faults {
            fail_rate: 0.5,
            throttle_rate: 0.3,
            jitter: Duration::from_millis(10),
            seed: 7,
            ..Faults::default()
        };
        let a: Vec<_> = (0..20)
            .map({
                let dice = Dice::new(faults);
                move |_| dice.roll()
            })
            .collect();
        let b: Vec<_> = (0..20)
            .map({
                let dice = Dice::new(faults);
                move |_| dice.roll()
            })
            .collect();
        assert_eq!(a, b);
        assert!(a.iter().any(|f| f.fail) && a.iter().any(|f| !f.fail));
    }

    #[test]
    fn rates_are_checked() {
        let bad = Faults {
            throttle_rate: 1.5,
            ..Faults::default()
        };
        assert!(bad.validate().is_err());
        assert!(Faults::default().validate().is_ok());
    }
}
