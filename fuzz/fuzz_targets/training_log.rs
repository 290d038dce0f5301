//! `read_log_from` on arbitrary bytes, the format detected or forced by the first byte. Any
//! input must give a log whose series line up with its epochs, or a `DataError`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| lrviz_data::fuzz::training_log(data));
