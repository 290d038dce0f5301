//! The history.json reader on arbitrary bytes (format forced to lrviz-json, so every input
//! reaches the JSON parser). Any input must give a log or a `DataError`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| lrviz_data::fuzz::history_json(data));
