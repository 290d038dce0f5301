//! Every CSV data-set error, each checked by its full message: file, 1-based line (as an
//! editor shows it), column, the offending text, and what would be valid.

use std::path::Path;

use lrviz_data::{load_csv, load_csv_with_limit, CsvOptions, DataError};

use crate::common::{csv_err, csv_err_with, label};

#[test]
fn missing_label_column_lists_the_available_ones() {
    assert_eq!(
        csv_err_with(b"a,b,y\n1,2,1\n", &label("target")),
        "t.csv: no label column `target`; available columns: `a`, `b`, `y`"
    );
}

#[test]
fn non_numeric_feature_names_line_column_and_text() {
    assert_eq!(
        csv_err("a,b,y\n1,2,1\n3,abc,0\n"),
        "t.csv:3: column `b`: `abc` is not a number; features must be numeric"
    );
    // A decimal comma in a `;` file is not a number either (`1.234,5` could mean 1234.5, so
    // it is refused, not guessed), and the message says how to write it.
    assert_eq!(
        csv_err("a;y\n1,5;1\n"),
        "t.csv:2: column `a`: `1,5` is not a number; features must be numeric (a decimal \
         comma? write numbers with a decimal point, e.g. 1.5)"
    );
}

#[test]
fn crlf_files_report_the_line_an_editor_shows() {
    // The bad cell is on line 4 of each file (header = line 1); the csv crate alone reports
    // line 3 for CRLF text, one low for every record after the header.
    for eol in ["\n", "\r\n"] {
        let text = ["a,y", "1,1", "2,0", "3,x", "4,1"].join(eol) + eol;
        assert_eq!(
            csv_err(&text),
            "t.csv:4: label column `y` has more than two classes (`1`, `0`, `x`); a binary \
             classifier needs exactly two",
            "{eol:?}"
        );
        let ragged = ["a,b,y", "1,2,1", "2,3,0", "3,0"].join(eol) + eol;
        assert_eq!(
            csv_err(&ragged),
            "t.csv:4: row has 2 fields, expected 3 as in the header; every row needs one field \
             per column",
            "{eol:?}"
        );
    }
}

#[test]
fn empty_cells_in_features_and_labels() {
    assert_eq!(
        csv_err("a,b,y\n1,2,1\n3,,0\n"),
        "t.csv:3: column `b` is empty; every cell needs a value"
    );
    assert_eq!(
        csv_err("a,y\n1,1\n2, \n"),
        "t.csv:3: column `y` is empty; every cell needs a value"
    );
}

#[test]
fn nan_and_inf_features_are_refused() {
    for text in ["nan", "NaN", "inf", "-Infinity"] {
        assert_eq!(
            csv_err(&format!("a,y\n1,1\n{text},0\n")),
            format!("t.csv:3: column `a`: `{text}` is not a finite number; values must be finite")
        );
    }
    // A non-finite label is no class either.
    assert_eq!(
        csv_err("a,y\n1,nan\n"),
        "t.csv:2: column `y`: `nan` is not a finite number; values must be finite"
    );
}

#[test]
fn values_beyond_f32_are_out_of_range() {
    // f32::MAX is about 3.4028e38: 1e39 is finite as f64 but not as f32.
    assert_eq!(
        csv_err("a,y\n1e39,1\n"),
        "t.csv:2: column `a`: `1e39` is out of range; features must lie within +-3.4e38 \
         (32-bit floats)"
    );
}

#[test]
fn one_class_only() {
    assert_eq!(
        csv_err("a,y\n1,1\n2,1.0\n"),
        "t.csv: label column `y` has only one class (`1`); a binary classifier needs rows of \
         two classes"
    );
}

#[test]
fn more_than_two_classes_lists_them() {
    assert_eq!(
        csv_err("a,y\n1,cat\n2,dog\n3,cat\n4,bird\n"),
        "t.csv:5: label column `y` has more than two classes (`cat`, `dog`, `bird`); a binary \
         classifier needs exactly two"
    );
}

#[test]
fn unknown_positive_class() {
    let opts = CsvOptions {
        positive: Some("yes".into()),
        ..CsvOptions::default()
    };
    assert_eq!(
        csv_err_with(b"a,y\n1,0\n2,1\n", &opts),
        "t.csv: positive class `yes` is not in label column `y`; its classes are `0` and `1`"
    );
}

#[test]
fn empty_files() {
    let want = "t.csv: empty file; expected a header row followed by data rows";
    assert_eq!(csv_err(""), want);
    assert_eq!(csv_err(" \r\n\n"), want);
    assert_eq!(csv_err("\u{feff}"), want);
}

#[test]
fn header_only() {
    let want = "t.csv: header only, no data rows; add at least one row of values below the header";
    assert_eq!(csv_err("a,b,y\n"), want);
    assert_eq!(csv_err("a,b,y\r\n\r\n"), want);
}

#[test]
fn ragged_rows_say_expected_and_got() {
    assert_eq!(
        csv_err("a,b,y\n1,2,1\n3,4\n"),
        "t.csv:3: row has 2 fields, expected 3 as in the header; every row needs one field per \
         column"
    );
    assert_eq!(
        csv_err("a,b,y\n1,2,1,9\n"),
        "t.csv:2: row has 4 fields, expected 3 as in the header; every row needs one field per \
         column"
    );
}

#[test]
fn non_utf8_bytes_name_the_line() {
    let want = "t.csv:3: not valid UTF-8 text; save the file as UTF-8";
    // 0xE9 is `é` in Latin-1, invalid on its own in UTF-8.
    assert_eq!(
        csv_err_with(b"a,y\n1,1\n2,caf\xE9\n", &CsvOptions::default()),
        want
    );
    assert_eq!(
        csv_err_with(b"a,\xFFb,y\n1,2,1\n", &CsvOptions::default()),
        "t.csv:1: not valid UTF-8 text; save the file as UTF-8"
    );
}

#[test]
fn header_problems() {
    assert_eq!(
        csv_err("a,b,a,y\n1,2,3,1\n"),
        "t.csv:1: column name `a` appears twice (columns 1 and 3); column names must be unique"
    );
    assert_eq!(
        csv_err(",a,y\n0,1,1\n"),
        "t.csv:1: column 1 has an empty name; every column needs a name in the header row (an \
         unnamed index column? write the file without it)"
    );
    assert_eq!(
        csv_err("1,2,1\n3,4,0\n"),
        "t.csv:1: the first line `1,2,1` looks like data, not a header; the file needs a header \
         row naming its columns"
    );
    assert_eq!(
        csv_err("y\n1\n0\n"),
        "t.csv: only the label column `y`, no feature columns; add at least one feature"
    );
    // A tab file read with `;` as separator: one column whose name holds tabs.
    assert_eq!(
        csv_err_with(
            b"a\tb\ty\n1\t2\t0\n",
            &CsvOptions {
                delimiter: Some(b';'),
                ..CsvOptions::default()
            }
        ),
        "t.csv: only the label column `a\\tb\\ty`, no feature columns; add at least one feature \
         (the header was not split: is the field separator right?)"
    );
}

#[test]
fn missing_file_directory_and_unreadable_path() {
    let dir = std::env::temp_dir().join(format!("lrviz-data-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let missing = dir.join("nope.csv");
    let msg = load_csv(&missing, &CsvOptions::default())
        .unwrap_err()
        .to_string();
    assert_eq!(msg, format!("{}: no such file", missing.display()));
    let msg = load_csv(&dir, &CsvOptions::default())
        .unwrap_err()
        .to_string();
    assert_eq!(
        msg,
        format!(
            "{}: is a directory, not a file; give the path of a file",
            dir.display()
        )
    );
    // Tests may run as root, where permission bits do not stop reads: a path below a regular
    // file cannot be opened by anyone (ENOTDIR).
    let file = dir.join("plain.csv");
    std::fs::write(&file, "a,y\n1,1\n2,0\n").unwrap();
    let below = file.join("child.csv");
    let err = load_csv(&below, &CsvOptions::default()).unwrap_err();
    assert!(matches!(err, DataError::Unreadable { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with(&format!("{}: cannot read the file: ", below.display())),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn too_large_is_refused_up_front_with_size_and_limit() {
    let path = Path::new(crate::data_path!("breast_cancer_wisconsin.csv"));
    let size = std::fs::metadata(path).unwrap().len();
    let msg = load_csv_with_limit(path, &CsvOptions::default(), 1000)
        .unwrap_err()
        .to_string();
    assert_eq!(
        msg,
        format!(
            "{}: file is {size} bytes, over the limit of 1000 bytes for a data set held in \
             memory; use a smaller file or raise the limit",
            path.display()
        )
    );
    // At exactly its size the limit lets it through.
    assert!(load_csv_with_limit(path, &CsvOptions::default(), size).is_ok());
}
