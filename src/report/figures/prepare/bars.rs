//! Figure 8.3.1: F1 bars and an Acc7 line per transformation chain.

use super::super::draw::{
    BarChart, BarSeries, Frame, Legend, Line, Marker, Point, RightLine, Series, GREY, PALETTE,
    THESIS_RED,
};
use crate::report::metric::MetricValues;
use crate::report::summary::GroupSummary;
use crate::report::thesis::{normalize_variant, ThesisResults};

fn chain_label(variant: &str) -> String {
    if normalize_variant(variant) == "none" {
        return "None (supervised)".to_owned();
    }
    variant
        .split(['+', '>', ','])
        .map(|s| match s.trim().to_ascii_lowercase().as_str() {
            "seqaug" => "SeqAug".to_owned(),
            other => other.to_owned(),
        })
        .collect::<Vec<_>>()
        .join(" + ")
}

pub(super) fn prepare_8_3_1(
    groups: &[GroupSummary],
    thesis: &ThesisResults,
    what: &dyn Fn(&str) -> String,
) -> BarChart {
    let table = thesis.table("8.3.2");
    let mut ordered: Vec<&GroupSummary> = groups.iter().collect();
    ordered.sort_by_key(|g| {
        (
            table
                .and_then(|t| t.rank_of(&g.variant))
                .unwrap_or(usize::MAX),
            g.variant.clone(),
        )
    });
    let thesis_rows: Vec<Option<MetricValues>> = ordered
        .iter()
        .map(|g| table.and_then(|t| t.row_for(&g.variant)).map(|r| r.values))
        .collect();
    let thesis_f1 = thesis_rows.iter().map(|r| r.and_then(|v| v.f1)).collect();
    let line = |label: &str, marker, line, values: Vec<Option<f64>>| Series {
        label: label.to_owned(),
        color: THESIS_RED,
        marker,
        line,
        points: values
            .iter()
            .enumerate()
            .filter_map(|(i, v)| {
                Some(Point {
                    x: i as f64,
                    y: (*v)?,
                    sd: None,
                })
            })
            .collect(),
    };
    let ours_acc7 = line(
        "Acc7, ours (mean)",
        Marker::Circle,
        Line::Solid,
        ordered.iter().map(|g| g.mean.acc7).collect(),
    );
    let thesis_acc7 = line(
        "Acc7, thesis (table 8.3.2)",
        Marker::Hollow,
        Line::None,
        thesis_rows.iter().map(|r| r.and_then(|v| v.acc7)).collect(),
    );
    BarChart {
        frame: Frame {
            title: "Figure 8.3.1 (ours): F1 (bars, left axis) and Acc7 (red line, right axis) per transformation chain"
                .to_owned(),
            caption: what(
                "F1 bars (left axis, whiskers: ± sample std) and Acc7 line (right axis), mean over seeds, per SSL transformation chain in order of application; \"None\" is the supervised model. Outlined bars and hollow red circles: the thesis's table 8.3.2.",
            ),
            size: (1400, 820),
        },
        categories: ordered.iter().map(|g| chain_label(&g.variant)).collect(),
        y_label: "F1 (%)".to_owned(),
        series: vec![
            BarSeries {
                label: "F1, ours (mean ± std)".to_owned(),
                color: PALETTE[0],
                filled: true,
                values: ordered.iter().map(|g| g.mean.f1).collect(),
                sd: ordered.iter().map(|g| g.std.f1).collect(),
            },
            BarSeries {
                label: "F1, thesis (table 8.3.2)".to_owned(),
                color: GREY,
                filled: false,
                values: thesis_f1,
                sd: Vec::new(),
            },
        ],
        right_label: "Acc7 (%)".to_owned(),
        lines: vec![
            RightLine {
                over: 0,
                series: ours_acc7,
            },
            RightLine {
                over: 1,
                series: thesis_acc7,
            },
        ],
        from_zero: false,
        legend: Legend::Right(300),
    }
}
