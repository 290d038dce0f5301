//! Integration tests of lrviz-scheduler, one binary with one module per concern.
//!
//! Expected values come from: the parity fixtures (real framework output, `fixtures/parity`),
//! the worked examples and internal-state vectors of `plateau-semantics.md` §4/§5 (each run
//! on the real frameworks), the reported cases of issue 3 (same script, `B-*` scenarios), and
//! hand derivations written next to the assertion.

#[path = "scheduler/common.rs"]
mod common;
#[path = "scheduler/config.rs"]
mod config;
#[path = "scheduler/formatting.rs"]
mod formatting;
#[path = "scheduler/parity.rs"]
mod parity;
#[path = "scheduler/persistence.rs"]
mod persistence;
#[path = "scheduler/props.rs"]
mod props;
#[path = "scheduler/refusals.rs"]
mod refusals;
#[path = "scheduler/reported.rs"]
mod reported;
#[path = "scheduler/scenarios.rs"]
mod scenarios;
#[path = "scheduler/serde_roundtrip.rs"]
mod serde_roundtrip;
#[path = "scheduler/translation.rs"]
mod translation;
