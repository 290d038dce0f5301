//! CSV data sets that must load, and what they load to.

use std::path::Path;

use lrviz_data::{load_csv, parse_csv, CsvOptions, BREAST_CANCER_CSV};

use crate::common::{csv, label};
use crate::data_path;

#[test]
fn breast_cancer_loads_to_569_by_30_with_357_benign() {
    // Expected figures: data/README.md ("569 rows, 30 numeric features", "1 = benign (357 rows)").
    let ds = load_csv(
        Path::new(data_path!("breast_cancer_wisconsin.csv")),
        &CsvOptions::default(),
    )
    .unwrap();
    assert_eq!((ds.n_rows(), ds.n_features), (569, 30));
    assert_eq!(ds.class_counts(), (212, 357));
    assert_eq!(ds.label_name, "benign");
    assert_eq!(ds.label_map, None);
    assert_eq!(ds.feature_names[0], "mean_radius");
    assert_eq!(ds.feature_names[29], "worst_fractal_dimension");
    // First data row of the file: 17.99,10.38,122.8,1001,...
    assert_eq!(&ds.row(0)[..4], &[17.99, 10.38, 122.8, 1001.0]);
    assert!(ds.source.ends_with("breast_cancer_wisconsin.csv"));
}

#[test]
fn embedded_copy_equals_the_shipped_file() {
    let file = std::fs::read_to_string(data_path!("breast_cancer_wisconsin.csv")).unwrap();
    assert_eq!(BREAST_CANCER_CSV, file);
    let ds = parse_csv(
        BREAST_CANCER_CSV.as_bytes(),
        "embedded",
        &CsvOptions::default(),
    )
    .unwrap();
    assert_eq!(ds.source, "embedded");
    assert_eq!(ds.n_rows(), 569);
}

#[test]
fn bom_crlf_and_quoted_fields() {
    let text = "\u{feff}a,\"b, quoted\",y\r\n1,\"2.5\",1\r\n\"3\",4,0\r\n";
    let ds = csv(text).unwrap();
    assert_eq!(ds.feature_names, ["a", "b, quoted"]);
    assert_eq!(ds.features, [1.0, 2.5, 3.0, 4.0]);
    assert_eq!(ds.labels, [1.0, 0.0]);
}

#[test]
fn semicolon_and_tab_are_detected_and_a_delimiter_can_be_given() {
    let semi = csv("a;b;y\n1;2;0\n3;4;1\n").unwrap();
    assert_eq!(
        (semi.n_features, semi.features.clone()),
        (2, vec![1.0, 2.0, 3.0, 4.0])
    );
    let tab = csv("a\tb\ty\n1\t2\t0\n3\t4\t1\n").unwrap();
    assert_eq!(tab.features, [1.0, 2.0, 3.0, 4.0]);
    // A header with commas inside quotes still detects `;`.
    let quoted = csv("\"a,1\";\"b,2\";y\n1;2;0\n3;4;1\n").unwrap();
    assert_eq!(quoted.feature_names, ["a,1", "b,2"]);
    let piped = parse_csv(
        b"a|b|y\n1|2|0\n3|4|1\n",
        "p.csv",
        &CsvOptions {
            delimiter: Some(b'|'),
            ..CsvOptions::default()
        },
    )
    .unwrap();
    assert_eq!(piped.features, [1.0, 2.0, 3.0, 4.0]);
}

#[test]
fn blank_lines_and_spaces_around_values_are_fine() {
    let ds = csv("\n a , b ,y\n\n 1 , 2 , 1 \n\n3,4,0\n\n").unwrap();
    assert_eq!(ds.feature_names, ["a", "b"]);
    assert_eq!(ds.features, [1.0, 2.0, 3.0, 4.0]);
    assert_eq!(ds.labels, [1.0, 0.0]);
}

#[test]
fn label_column_by_name_anywhere() {
    let ds = parse_csv(b"y,a,b\n1,2,3\n0,4,5\n", "t.csv", &label("y")).unwrap();
    assert_eq!(ds.feature_names, ["a", "b"]);
    assert_eq!(ds.features, [2.0, 3.0, 4.0, 5.0]);
    assert_eq!(ds.labels, [1.0, 0.0]);
}

#[test]
fn label_kinds_and_their_maps() {
    // 0/1 written as floats are the same classes: no map.
    let ds = csv("a,y\n1,1.0\n2,0\n3,1\n").unwrap();
    assert_eq!(
        (ds.labels.clone(), ds.label_map.clone()),
        (vec![1.0, 0.0, 1.0], None)
    );
    // true/false in any case: true is 1.
    let ds = csv("a,y\n1,TRUE\n2,false\n3,True\n").unwrap();
    assert_eq!(ds.labels, [1.0, 0.0, 1.0]);
    assert_eq!(ds.label_map, Some(("TRUE".into(), "false".into())));
    // Two strings: the greater in byte order is 1 (M > B).
    let ds = csv("a,diagnosis\n1,M\n2,B\n3,B\n").unwrap();
    assert_eq!(ds.labels, [1.0, 0.0, 0.0]);
    assert_eq!(ds.label_map, Some(("M".into(), "B".into())));
    // Two numbers other than 0/1: the greater is 1, compared as numbers (10 > 9).
    let ds = csv("a,y\n1,9\n2,10\n").unwrap();
    assert_eq!(ds.labels, [0.0, 1.0]);
    assert_eq!(ds.label_map, Some(("10".into(), "9".into())));
    let ds = csv("a,y\n1,-1\n2,1\n").unwrap();
    assert_eq!(ds.labels, [0.0, 1.0]);
}

#[test]
fn positive_option_picks_the_one_class() {
    let opts = |p: &str| CsvOptions {
        positive: Some(p.to_owned()),
        ..CsvOptions::default()
    };
    let ds = parse_csv(b"a,d\n1,M\n2,B\n", "t.csv", &opts("B")).unwrap();
    assert_eq!(ds.labels, [0.0, 1.0]);
    assert_eq!(ds.label_map, Some(("B".into(), "M".into())));
    // Inverting 0/1 is allowed and reported.
    let ds = parse_csv(b"a,y\n1,1\n2,0\n", "t.csv", &opts("0")).unwrap();
    assert_eq!(ds.labels, [0.0, 1.0]);
    assert_eq!(ds.label_map, Some(("0".into(), "1".into())));
    // Matching as numbers: `1.0` picks the class written `1`; no map since it is the identity.
    let ds = parse_csv(b"a,y\n1,1\n2,0\n", "t.csv", &opts("1.0")).unwrap();
    assert_eq!(
        (ds.labels.clone(), ds.label_map.clone()),
        (vec![1.0, 0.0], None)
    );
}

#[test]
fn quoted_newline_keeps_later_line_numbers_right() {
    // The record starting on line 2 spans lines 2-3; the bad cell is on the record of line 4.
    let msg = crate::common::csv_err("a,b,y\n\"x\ny\",2,1\n1,oops,0\n");
    assert!(
        msg.starts_with("t.csv:2: column `a`: `x\\ny` is not a number"),
        "{msg}"
    );
    let msg = crate::common::csv_err("a,b,y\n1,\"2\n\",1\n1,oops,0\n");
    assert_eq!(
        msg,
        "t.csv:4: column `b`: `oops` is not a number; features must be numeric"
    );
}

#[test]
fn select_and_class_counts() {
    let ds = csv("a,y\n10,1\n20,0\n30,0\n").unwrap();
    assert_eq!(ds.class_counts(), (2, 1));
    let s = ds.select(&[2, 0, 2]);
    assert_eq!(s.features, [30.0, 10.0, 30.0]);
    assert_eq!(s.labels, [0.0, 1.0, 0.0]);
    assert_eq!(
        (s.feature_names, s.label_name),
        (ds.feature_names.clone(), ds.label_name.clone())
    );
}
