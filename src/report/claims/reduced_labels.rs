//! The claims of §8.4: training with reduced labeled data (figures 8.4.1, 8.4.2).

use super::*;

fn fractions(rows: &[ResultRow], family: FamilyId) -> Vec<f64> {
    let mut fs: Vec<f64> = rows
        .iter()
        .filter(|r| r.family == family)
        .filter_map(|r| param(r, "fraction"))
        .collect();
    fs.sort_by(f64::total_cmp);
    fs.dedup();
    fs
}

pub(super) fn fig_8_4(rows: &[ResultRow]) -> Vec<ClaimCheck> {
    let f = FamilyId::Fig8_4;
    let m = Metric::F1;
    let fs = fractions(rows, f);
    let side = |v: &str, frac: f64| {
        Side::metric(
            format!("{v} at {}", pct(frac)),
            pick(rows, f, v, at("fraction", frac)),
            m,
        )
    };
    let mut out = Vec::new();
    let small: Vec<f64> = fs.iter().copied().filter(|&x| x <= 0.1 + 1e-12).collect();
    if small.is_empty() {
        out.push(ClaimCheck::not_run(
            "SSL models beat supervised at small labeled fractions (§8.4)",
            "the grid has no fraction ≤ 10 %",
        ));
    }
    for &frac in &small {
        let sup = side("supervised", frac);
        for v in SSL3 {
            out.push(compare(
                format!(
                    "At {} labels, SSL ({}) fine-tuned beats supervised on F1 (§8.4: \"impressively better on tiny datasets\")",
                    pct(frac),
                    &v[4..]
                ),
                m.into(),
                &side(v, frac),
                &sup,
                None,
            ));
        }
    }
    let claim = "SSL fine-tuned with 60–80 % of the labels matches or beats supervised on all labels (§8.4, fig. 8.4.1)";
    let mid = fs
        .iter()
        .copied()
        .filter(|&x| (0.6 - 1e-12..=0.8 + 1e-12).contains(&x))
        .reduce(f64::max);
    out.push(match (mid, fs.last().copied()) {
        (Some(frac), Some(full)) if full > frac => {
            let best = SSL3
                .iter()
                .map(|v| side(v, frac))
                .filter(|s| s.mean().is_some())
                .reduce(|a, b| if b.mean() > a.mean() { b } else { a });
            match best {
                Some(b) => compare(
                    format!("{claim}; the best SSL model by mean at {}", pct(frac)),
                    m.into(),
                    &b,
                    &side("supervised", full),
                    None,
                ),
                None => ClaimCheck::not_run(claim, format!("no SSL runs at {}", pct(frac))),
            }
        }
        _ => ClaimCheck::not_run(claim, "the grid has no fraction between 60 % and 80 %"),
    });
    let lin: Vec<ClaimCheck> = fs
        .iter()
        .map(|&frac| {
            compare(
                "",
                m.into(),
                &side("ssl-masking", frac),
                &side("ssl-masking-linear", frac),
                None,
            )
        })
        .collect();
    out.push(all_of(
        "SSL-masking fine-tuned beats its linear evaluation on F1 at every fraction (§8.4)",
        &lin,
        "needs ssl-masking and ssl-masking-linear at a common fraction",
    ));
    out
}
