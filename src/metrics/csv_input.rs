//! Reading a predictions CSV (`prediction` and `label` columns) for the thesis 7.3 evaluation.

use std::fs::File;
use std::path::{Path, PathBuf};

/// Row-aligned predictions and labels read from a CSV file, the input of [`super::evaluate`]
/// (thesis 7.3).
#[derive(Debug, Clone, PartialEq)]
pub struct PredictionTable {
    /// The `prediction` column, in file order.
    pub predictions: Vec<f64>,
    /// The `label` column, in file order.
    pub labels: Vec<f64>,
}

/// Why a predictions CSV could not be read (thesis 7.3 input), naming the file.
#[derive(Debug, thiserror::Error)]
#[error("{}: {kind}", path.display())]
pub struct CsvError {
    /// The file that was being read.
    pub path: PathBuf,
    /// What went wrong, with the 1-based line (the header is line 1) and column where known.
    pub kind: CsvErrorKind,
}

/// The ways a predictions CSV can be malformed (thesis 7.3 input); lines are 1-based, header = 1.
#[derive(Debug, thiserror::Error)]
pub enum CsvErrorKind {
    /// The file could not be opened.
    #[error("cannot open the file: {0}")]
    Io(std::io::Error),
    /// The CSV reader failed (e.g. invalid UTF-8); its message carries the line.
    #[error("invalid CSV: {0}")]
    Parse(csv::Error),
    /// The file has no header row.
    #[error("line 1: empty file, expected a header row with columns `prediction` and `label`")]
    EmptyFile,
    /// The header lacks a required column.
    #[error("line 1: missing column `{column}` in header `{header}`, expected columns `prediction` and `label`")]
    MissingColumn {
        /// The required column that was not found.
        column: &'static str,
        /// The header row as read, comma-joined.
        header: String,
    },
    /// The header names a required column twice.
    #[error("line 1: column `{column}` appears {count} times in header `{header}`, expected once")]
    DuplicateColumn {
        /// `prediction` or `label`.
        column: &'static str,
        /// How often it appears.
        count: usize,
        /// The header row as read, comma-joined.
        header: String,
    },
    /// A label outside the MOSEI sentiment range [-3, 3].
    #[error("line {line}, column `label`: expected a sentiment in [-3, 3], found {value}")]
    LabelRange {
        /// Line of the row.
        line: u64,
        /// The label.
        value: f64,
    },
    /// A prediction too large for a sentiment score, whose sums would overflow.
    #[error("line {line}, column `prediction`: expected |value| ≤ 1e6 (a sentiment score; the metrics clip to [-3, 3]), found {value}")]
    PredictionRange {
        /// Line of the row.
        line: u64,
        /// The prediction.
        value: f64,
    },
    /// The header is not followed by any data row.
    #[error("no data rows: expected at least one row after the header (line 1)")]
    NoRows,
    /// A data row has a different number of fields than the header.
    #[error("line {line}: expected {expected} fields (as in the header), found {found}")]
    FieldCount {
        /// Line of the row.
        line: u64,
        /// Number of fields of the header.
        expected: usize,
        /// Number of fields of the row.
        found: usize,
    },
    /// A field does not parse as a number.
    #[error("line {line}, column `{column}`: expected a number, found {value:?}")]
    NotANumber {
        /// Line of the row.
        line: u64,
        /// `prediction` or `label`.
        column: &'static str,
        /// The field as written.
        value: String,
    },
    /// A field parses as NaN or ±infinity.
    #[error("line {line}, column `{column}`: expected a finite number, found {value:?}")]
    NonFinite {
        /// Line of the row.
        line: u64,
        /// `prediction` or `label`.
        column: &'static str,
        /// The field as written.
        value: String,
    },
}

/// Reads a CSV whose header names the columns `prediction` and `label` (any order; other
/// columns are ignored; each of the two must appear once) for thesis 7.3 scoring.
///
/// Fields are trimmed of surrounding whitespace, blank lines are skipped, and every value must be
/// a finite number; labels must lie in [-3, 3] and predictions within ±1e6.
pub fn read_predictions_csv(path: &Path) -> Result<PredictionTable, CsvError> {
    read_table(path).map_err(|kind| CsvError {
        path: path.to_path_buf(),
        kind,
    })
}

fn read_table(path: &Path) -> Result<PredictionTable, CsvErrorKind> {
    let file = File::open(path).map_err(CsvErrorKind::Io)?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(file);
    let header = reader.headers().map_err(CsvErrorKind::Parse)?.clone();
    if header.is_empty() {
        return Err(CsvErrorKind::EmptyFile);
    }
    let joined = || header.iter().collect::<Vec<_>>().join(",");
    let column_index = |column: &'static str| {
        let count = header.iter().filter(|name| *name == column).count();
        if count > 1 {
            return Err(CsvErrorKind::DuplicateColumn {
                column,
                count,
                header: joined(),
            });
        }
        header
            .iter()
            .position(|name| name == column)
            .ok_or_else(|| CsvErrorKind::MissingColumn {
                column,
                header: joined(),
            })
    };
    let (prediction_index, label_index) = (column_index("prediction")?, column_index("label")?);

    let mut table = PredictionTable {
        predictions: Vec::new(),
        labels: Vec::new(),
    };
    for record in reader.records() {
        let record = record.map_err(CsvErrorKind::Parse)?;
        let line = record
            .position()
            .expect("records read from a csv::Reader carry their position")
            .line();
        if record.len() != header.len() {
            return Err(CsvErrorKind::FieldCount {
                line,
                expected: header.len(),
                found: record.len(),
            });
        }
        let prediction = parse_field(&record[prediction_index], line, "prediction")?;
        if prediction.abs() > 1e6 {
            return Err(CsvErrorKind::PredictionRange {
                line,
                value: prediction,
            });
        }
        let label = parse_field(&record[label_index], line, "label")?;
        if !(-3.0..=3.0).contains(&label) {
            return Err(CsvErrorKind::LabelRange { line, value: label });
        }
        table.predictions.push(prediction);
        table.labels.push(label);
    }
    if table.labels.is_empty() {
        return Err(CsvErrorKind::NoRows);
    }
    Ok(table)
}

fn parse_field(text: &str, line: u64, column: &'static str) -> Result<f64, CsvErrorKind> {
    let value: f64 = text.parse().map_err(|_| CsvErrorKind::NotANumber {
        line,
        column,
        value: text.to_owned(),
    })?;
    if value.is_finite() {
        Ok(value)
    } else {
        Err(CsvErrorKind::NonFinite {
            line,
            column,
            value: text.to_owned(),
        })
    }
}
