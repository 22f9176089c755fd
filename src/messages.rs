//! Error messages for users: candle's errors without the backtraces it attaches when
//! `RUST_BACKTRACE` is set, so that an error names what went wrong and not the frames of the
//! library it went wrong in.

/// The message of candle error `e` with every backtrace it wraps left out.
pub fn candle_message(e: &candle_core::Error) -> String {
    use candle_core::Error as E;
    match e {
        E::WithBacktrace { inner, .. } => candle_message(inner),
        E::Context { inner, context } => format!("{context}: {}", candle_message(inner)),
        E::WithPath { inner, path } => format!("{}: {}", path.display(), candle_message(inner)),
        // candle formats an inner error, backtrace and all, into some messages (`VarMap::load`)
        other => without_frames(&other.to_string()),
    }
}

/// `text` up to the first line of a written backtrace (`   0: candle_core::…`).
fn without_frames(text: &str) -> String {
    let frame = |line: &str| {
        let (number, rest) = line.trim_start().split_once(": ").unwrap_or(("", ""));
        !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()) && !rest.is_empty()
    };
    let lines: Vec<&str> = text.lines().take_while(|line| !frame(line)).collect();
    lines.join("\n").trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::candle_message;

    #[test]
    fn backtraces_are_left_out_at_any_depth() {
        let inner = candle_core::Error::Msg("shape mismatch in set".into());
        let traced = candle_core::Error::WithBacktrace {
            inner: Box::new(inner),
            backtrace: Box::new(std::backtrace::Backtrace::force_capture()),
        };
        let e = traced
            .with_path("w.safetensors")
            .context("loading the encoder");
        // the backtrace is there to leave out: candle writes it after the message, line by line
        assert!(e.to_string().lines().count() > 2, "{e}");
        assert_eq!(
            candle_message(&e),
            "loading the encoder: w.safetensors: shape mismatch in set"
        );
        // a backtrace candle wrote into a message, as `VarMap::load` does
        let written = candle_core::Error::Msg(format!("error setting x: {e}"));
        assert!(written.to_string().lines().count() > 2);
        assert_eq!(
            candle_message(&written),
            "error setting x: loading the encoder\npath: \"w.safetensors\" shape mismatch in set"
        );
    }
}
