//! The machine's primitives: reading the input, the stack and its marks, the memo, and the
//! nesting-depth guard ([`MAX_DEPTH`]).

use super::machine::{Machine, MAX_DEPTH};
use super::value::Value;
use super::{Fault, R};
use std::rc::Rc;

/// The address identifying a container value (`None` for scalars and strings).
fn container_key(v: &Value<'_>) -> Option<*const ()> {
    match v {
        Value::Tuple(t) => Some(Rc::as_ptr(t) as *const ()),
        Value::List(l) | Value::Set(l) => Some(Rc::as_ptr(l) as *const ()),
        Value::Dict(d) => Some(Rc::as_ptr(d) as *const ()),
        Value::Array(a) => Some(Rc::as_ptr(a) as *const ()),
        Value::Object(o) => Some(Rc::as_ptr(o) as *const ()),
        _ => None,
    }
}

impl<'a> Machine<'a> {
    /// The recorded depth of `v` (0 for a scalar, 1 for a container never filled).
    fn depth(&self, v: &Value<'a>) -> u32 {
        container_key(v).map_or(0, |k| self.depths.get(&k).copied().unwrap_or(1))
    }

    /// One more than the deepest of `children`.
    pub(super) fn depth_over<'v>(&self, children: impl IntoIterator<Item = &'v Value<'a>>) -> u32
    where
        'a: 'v,
    {
        1 + children
            .into_iter()
            .map(|c| self.depth(c))
            .max()
            .unwrap_or(0)
    }

    /// Records that container `v` is at least `d` deep; errors past [`MAX_DEPTH`].
    pub(super) fn note_depth(&mut self, v: &Value<'a>, d: u32) -> R<()> {
        if d > MAX_DEPTH {
            return Err(Fault::TooDeep);
        }
        if let Some(k) = container_key(v) {
            let e = self.depths.entry(k).or_insert(1);
            *e = (*e).max(d);
        }
        Ok(())
    }

    /// Pushes a new container whose depth is one more than its deepest child.
    pub(super) fn push_container(&mut self, v: Value<'a>, d: u32) -> R<()> {
        self.note_depth(&v, d)?;
        self.stack.push(v);
        Ok(())
    }

    /// Notes that the container on top of the stack now holds children of depth `d - 1`.
    pub(super) fn deepen_top(&mut self, d: u32, what: &'static str) -> R<()> {
        let top = self.top(what)?.clone();
        self.note_depth(&top, d)
    }

    /// The next `n` bytes of the input, borrowed; `what` names them in the error.
    pub(super) fn take(&mut self, n: usize, what: &'static str) -> R<&'a [u8]> {
        let remaining = self.data.len() - self.pos;
        if n > remaining {
            return Err(Fault::Truncated {
                what,
                needs: n,
                remaining,
            });
        }
        let s = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    /// The next byte.
    pub(super) fn u8(&mut self, what: &'static str) -> R<u8> {
        Ok(self.take(1, what)?[0])
    }

    /// The next little-endian u16.
    pub(super) fn u16(&mut self, what: &'static str) -> R<u16> {
        let b = self.take(2, what)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }

    /// The next little-endian u32.
    pub(super) fn u32(&mut self, what: &'static str) -> R<u32> {
        let b = self.take(4, what)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// The next little-endian u64.
    pub(super) fn u64(&mut self, what: &'static str) -> R<u64> {
        let b = self.take(8, what)?;
        Ok(u64::from_le_bytes(b.try_into().expect("8 bytes")))
    }

    /// The next little-endian u64 as a length that fits in memory.
    pub(super) fn len64(&mut self, what: &'static str) -> R<usize> {
        let n = self.u64(what)?;
        usize::try_from(n)
            .map_err(|_| Fault::Invalid(format!("{what}: length {n} does not fit in memory")))
    }

    /// The input up to the next newline (the newline is consumed, not returned).
    pub(super) fn line(&mut self, what: &'static str) -> R<&'a [u8]> {
        let rest = &self.data[self.pos..];
        let end = rest
            .iter()
            .position(|&c| c == b'\n')
            .ok_or(Fault::NoEndOfLine { what })?;
        self.pos += end + 1;
        Ok(&rest[..end])
    }

    /// The next line as UTF-8 text.
    pub(super) fn line_text(&mut self, what: &'static str) -> R<String> {
        let l = self.line(what)?;
        String::from_utf8(l.to_vec())
            .map_err(|_| Fault::Invalid(format!("{what}: line is not UTF-8")))
    }

    /// Pops the top value (never below the innermost mark).
    pub(super) fn pop(&mut self, what: &'static str) -> R<Value<'a>> {
        let floor = self.marks.last().copied().unwrap_or(0);
        if self.stack.len() <= floor {
            return Err(Fault::EmptyStack { what });
        }
        Ok(self.stack.pop().expect("checked"))
    }

    /// The top value (never below the innermost mark).
    pub(super) fn top(&mut self, what: &'static str) -> R<&mut Value<'a>> {
        let floor = self.marks.last().copied().unwrap_or(0);
        if self.stack.len() <= floor {
            return Err(Fault::EmptyStack { what });
        }
        Ok(self.stack.last_mut().expect("checked"))
    }

    /// Pops the innermost mark and the values above it.
    pub(super) fn pop_mark(&mut self, what: &'static str) -> R<Vec<Value<'a>>> {
        let mark = self.marks.pop().ok_or(Fault::NoMark { what })?;
        Ok(self.stack.split_off(mark))
    }

    /// The memo entry `key`.
    pub(super) fn memo_get(&self, key: u64) -> R<Value<'a>> {
        self.memo.get(&key).cloned().ok_or(Fault::MemoMissing(key))
    }

    /// Stores the top value as memo entry `key`.
    pub(super) fn memo_put(&mut self, key: u64) -> R<()> {
        let v = self
            .stack
            .last()
            .cloned()
            .ok_or("memo store with an empty stack")?;
        self.memo.insert(key, v);
        Ok(())
    }
}
