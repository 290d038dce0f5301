//! `parse_csv` on arbitrary bytes: the first byte picks the options (label, positive class,
//! delimiter), the rest is the file. Any input must give a data set or a `DataError`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| lrviz_data::fuzz::csv_dataset(data));
