//! The string codecs of the pickle format: latin-1 (how Python 3 pickles `bytes` under
//! protocols 0–2), protocol 0's quoted `STRING` literals and raw-unicode-escaped `UNICODE` lines.

use super::{Latin1Error, R};

/// The bytes of UTF-8 text whose characters are all below U+0100, as Python's
/// `text.encode("latin1")`: how Python 3 pickles `bytes` under protocols 0–2. One pass that
/// validates and decodes (1-byte and 2-byte sequences only; anything else is an error).
pub fn latin1_bytes(utf8: &[u8]) -> Result<Vec<u8>, Latin1Error> {
    let n = utf8.len();
    let mut out = Vec::with_capacity(n);
    let mut i = 0;
    while i < n {
        let c = utf8[i];
        if c < 0x80 {
            out.push(c);
            i += 1;
        } else if (c == 0xC2 || c == 0xC3) && i + 1 < n && utf8[i + 1] & 0xC0 == 0x80 {
            out.push(((c & 0x03) << 6) | (utf8[i + 1] & 0x3F));
            i += 2;
        } else {
            let shown = String::from_utf8_lossy(&utf8[i..(i + 4).min(n)])
                .chars()
                .next()
                .unwrap_or('?');
            return Err(Latin1Error {
                at: i,
                character: shown,
            });
        }
    }
    Ok(out)
}

/// Decodes a protocol-0 `STRING` literal: a Python 2 repr in single or double quotes.
pub(super) fn unquote_py2_string(l: &[u8]) -> R<Vec<u8>> {
    let l = l.strip_suffix(b"\r").unwrap_or(l);
    if l.len() < 2 || l[0] != l[l.len() - 1] || !(l[0] == b'\'' || l[0] == b'"') {
        return Err("STRING literal is not quoted".into());
    }
    let body = &l[1..l.len() - 1];
    let mut out = Vec::with_capacity(body.len());
    let mut i = 0;
    while i < body.len() {
        let c = body[i];
        if c != b'\\' {
            out.push(c);
            i += 1;
            continue;
        }
        let e = *body
            .get(i + 1)
            .ok_or("STRING literal ends in a backslash")?;
        i += 2;
        match e {
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'\\' => out.push(b'\\'),
            b'\'' => out.push(b'\''),
            b'"' => out.push(b'"'),
            b'x' => {
                let h = body.get(i..i + 2).ok_or("short \\x escape")?;
                let h = std::str::from_utf8(h).map_err(|_| "bad \\x escape")?;
                out.push(u8::from_str_radix(h, 16).map_err(|_| "bad \\x escape")?);
                i += 2;
            }
            b'0'..=b'7' => {
                let mut v = (e - b'0') as u32;
                let mut k = 0;
                while k < 2 && i < body.len() && (b'0'..=b'7').contains(&body[i]) {
                    v = v * 8 + (body[i] - b'0') as u32;
                    i += 1;
                    k += 1;
                }
                out.push(v as u8);
            }
            other => {
                out.push(b'\\');
                out.push(other);
            }
        }
    }
    Ok(out)
}

/// Decodes a protocol-0 `UNICODE` line (raw-unicode-escape: latin-1 plus `\uXXXX` / `\UXXXXXXXX`).
pub(super) fn raw_unicode_escape(l: &[u8]) -> R<String> {
    let mut out = String::with_capacity(l.len());
    let mut i = 0;
    while i < l.len() {
        if l[i] == b'\\' && i + 1 < l.len() && (l[i + 1] == b'u' || l[i + 1] == b'U') {
            let n = if l[i + 1] == b'u' { 4 } else { 8 };
            let h = l.get(i + 2..i + 2 + n).ok_or("short \\u escape")?;
            let h = std::str::from_utf8(h).map_err(|_| "bad \\u escape")?;
            let cp = u32::from_str_radix(h, 16).map_err(|_| "bad \\u escape")?;
            out.push(char::from_u32(cp).ok_or("bad code point")?);
            i += 2 + n;
        } else {
            out.push(l[i] as char);
            i += 1;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin1_round_trip() {
        let all: String = (0u32..256).map(|c| char::from_u32(c).unwrap()).collect();
        let bytes = latin1_bytes(all.as_bytes()).unwrap();
        assert_eq!(bytes, (0u8..=255).collect::<Vec<u8>>());
        assert!(latin1_bytes("snow \u{2603}".as_bytes())
            .unwrap_err()
            .to_string()
            .contains("U+2603"));
    }
}
