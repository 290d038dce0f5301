//! Integration tests of lrviz-data, one binary with a module per area.

mod common;
mod csv_errors;
mod csv_ok;
mod logs;
mod logs_json;
mod props;
mod regressions;
mod split;
mod synthetic;
