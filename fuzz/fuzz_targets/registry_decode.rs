//! The registry's answers as the client decodes them (`registry::wire`), and the rows turned
//! into the live state the planner reads.
#![no_main]

use libfuzzer_sys::fuzz_target;
use saasctl::live::{LiveRow, LiveState};
use saasctl::registry::wire::{Environment, ErrorBody, GatewayError, Results, Row};

fuzz_target!(|data: &[u8]| {
    if let Ok(rows) = serde_json::from_slice::<Results<Row>>(data) {
        if let Ok(live) = LiveState::from_rows(rows.results.into_iter().map(LiveRow::from)) {
            live.digest();
        }
    }
    let _ = serde_json::from_slice::<Environment>(data);
    let _ = serde_json::from_slice::<ErrorBody>(data);
    let _ = serde_json::from_slice::<GatewayError>(data);
});
