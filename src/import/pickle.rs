//! A small, safe pickle reader: enough of the pickle virtual machine (protocols 0–5) to load the
//! dict-of-dicts-of-numpy-arrays files that the MulT and MMSA releases ship, without Python.
//!
//! # What is understood
//!
//! * every opcode of protocols 0–5 that builds plain data: `None`, booleans, ints (incl. `LONG1` /
//!   `LONG4` up to 64 bits), floats, str, bytes, bytearray, tuples, lists, dicts, sets,
//!   frozensets, the memo (`PUT` / `GET` / `MEMOIZE` variants), `MARK`, `FRAME`, `POP`, `DUP`;
//! * Python 2 byte strings (`STRING`, `BINSTRING`, `SHORT_BINSTRING`) are kept as raw bytes (what
//!   `pickle.load(f, encoding="latin1")` does for numpy data); text accessors decode them as
//!   latin-1;
//! * objects: `GLOBAL` / `STACK_GLOBAL` name a callable, `REDUCE` / `NEWOBJ` / `NEWOBJ_EX` /
//!   `OBJ` / `INST` apply it, `BUILD` sets its state. A few callables are interpreted:
//!   - `numpy.core.multiarray._reconstruct` (also `numpy._core…`) + `BUILD` with the state tuple
//!     `(version, shape, dtype, is_fortran, raw)` → an [`NdArray`] (how numpy arrays pickle under
//!     protocols 0–4, and under 5 for non-contiguous arrays);
//!   - `numpy.core.numeric._frombuffer(buffer, dtype, shape, order)` → an [`NdArray`] (protocol 5,
//!     in-band buffers);
//!   - `numpy.dtype(descr, align, copy)` + `BUILD` (the byte order is the state's second item) →
//!     a [`Dtype`];
//!   - `numpy.core.multiarray.scalar(dtype, raw)` → an int or float;
//!   - `_codecs.encode(text, "latin1")` → bytes (how Python 3 writes `bytes` under protocol 2);
//!   - `collections.OrderedDict` → a dict; `builtins.bytearray` / `__builtin__.bytearray` → bytes.
//!
//!   Any other callable gives a generic [`Object`] (callable, arguments, state) that the caller
//!   may ignore — nothing is ever executed.
//!
//! # What is refused, with an error naming the byte offset
//!
//! Containers nested deeper than [`MAX_DEPTH`] (dropping a value recurses once per level; the
//! guard tracks nesting built on the stack — a pickle that nests through the memo is not
//! caught, as Python's own unpickler is bounded only by its recursion limit). Truncated input,
//! a missing `STOP`, unknown opcodes, persistent ids (`PERSID`, `BINPERSID`: the
//! format of `torch.save`), the extension registry (`EXT1/2/4`) and out-of-band buffers
//! (`NEXT_BUFFER`, `READONLY_BUFFER`).
//!
//! Large byte and text strings are borrowed from the input buffer, never copied, so a pickle's
//! arrays cost no memory beyond the file itself until they are converted (protocols 0–2 store
//! array bytes as latin-1 text, decoded once into bytes). Text is validated as UTF-8 when it is
//! read as text, not when it is pushed.

use std::cell::{Ref, RefCell};
use std::collections::HashMap;
use std::fmt;
use std::rc::Rc;

/// A pickle that could not be read: where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickleError {
    /// Byte offset of the opcode that failed.
    pub offset: usize,
    /// What was expected and what was found.
    pub message: String,
}

impl fmt::Display for PickleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at byte {}: {}", self.offset, self.message)
    }
}

impl std::error::Error for PickleError {}

/// Bytes borrowed from the input or owned (decoded from latin-1 text, for example).
#[derive(Debug, Clone)]
pub enum Bytes<'a> {
    /// A slice of the pickle itself.
    Borrowed(&'a [u8]),
    /// Bytes built while reading.
    Owned(Rc<[u8]>),
}

impl Bytes<'_> {
    /// The bytes.
    pub fn as_slice(&self) -> &[u8] {
        match self {
            Bytes::Borrowed(b) => b,
            Bytes::Owned(b) => b,
        }
    }
}

/// Text borrowed from the input (UTF-8 as pickled, validated when read as text) or owned
/// (decoded from protocol-0 escapes). Large strings that only carry latin-1-encoded array bytes
/// (protocols 0–2) are decoded straight to bytes by [`latin1_bytes`], never validated twice.
#[derive(Debug, Clone)]
pub enum Text<'a> {
    /// The pickled UTF-8 bytes.
    Borrowed(&'a [u8]),
    /// Text built while reading.
    Owned(Rc<str>),
}

impl Text<'_> {
    /// The text, or an error when the pickled bytes are not UTF-8.
    pub fn to_str(&self) -> Result<&str, String> {
        match self {
            Text::Borrowed(b) => {
                std::str::from_utf8(b).map_err(|e| format!("text is not UTF-8: {e}"))
            }
            Text::Owned(s) => Ok(s),
        }
    }

    /// The UTF-8 bytes.
    pub fn utf8(&self) -> &[u8] {
        match self {
            Text::Borrowed(b) => b,
            Text::Owned(s) => s.as_bytes(),
        }
    }
}

/// The bytes of UTF-8 text whose characters are all below U+0100, as Python's
/// `text.encode("latin1")`: how Python 3 pickles `bytes` under protocols 0–2. One pass that
/// validates and decodes (1-byte and 2-byte sequences only; anything else is an error).
pub fn latin1_bytes(utf8: &[u8]) -> Result<Vec<u8>, String> {
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
            return Err(format!(
                "byte {i} of the text (character U+{:04X}) is not latin-1",
                shown as u32
            ));
        }
    }
    Ok(out)
}

/// The numpy element type of an array: kind (`f`, `i`, `u`, `b`, `U`, `S`, `O`, …), item size in
/// bytes and byte order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dtype {
    /// numpy's kind character: `f` float, `i` signed, `u` unsigned, `b` bool, `U` unicode, `S`
    /// bytes, `O` object, `c` complex, …
    pub kind: char,
    /// Bytes per element (0 for flexible types whose size was not given).
    pub size: usize,
    /// True for big-endian data (`>`); `<`, `|` and `=` (native, little-endian here) are false.
    pub big_endian: bool,
}

impl Dtype {
    /// Parses a numpy type string such as `f4`, `<f8`, `i8`, `U7`, `O8`, `b1`.
    pub fn parse(descr: &str) -> Option<Dtype> {
        let (big_endian, rest) = match descr.as_bytes().first()? {
            b'>' => (true, &descr[1..]),
            b'<' | b'|' | b'=' => (false, &descr[1..]),
            _ => (false, descr),
        };
        let mut chars = rest.chars();
        let kind = chars.next()?;
        let digits: String = chars.collect();
        let count: usize = if digits.is_empty() {
            match kind {
                'O' => 8,
                'b' | '?' => 1,
                _ => 0,
            }
        } else {
            digits.parse().ok()?
        };
        let kind = if kind == '?' { 'b' } else { kind };
        // numpy's 'U<n>' counts characters of 4 bytes
        let size = if kind == 'U' { count * 4 } else { count };
        Some(Dtype {
            kind,
            size,
            big_endian,
        })
    }

    /// A short human-readable name: `float32`, `float64`, `int64`, `<U7`, `object`, …
    pub fn name(&self) -> String {
        match (self.kind, self.size) {
            ('f', s) => format!("float{}", s * 8),
            ('i', s) => format!("int{}", s * 8),
            ('u', s) => format!("uint{}", s * 8),
            ('b', _) => "bool".into(),
            ('O', _) => "object".into(),
            ('U', s) => format!("<U{}", s / 4),
            ('S', s) => format!("|S{s}"),
            (k, s) => format!("{k}{s}"),
        }
    }
}

/// The stored elements of an array.
#[derive(Debug, Clone)]
pub enum ArrayData<'a> {
    /// Raw element bytes in C (or Fortran) order.
    Raw(Bytes<'a>),
    /// Python objects, for `dtype=object` arrays (e.g. MMSA's id and raw-text columns).
    Objects(Vec<Value<'a>>),
}

/// A numpy array read from a pickle.
#[derive(Debug, Clone)]
pub struct NdArray<'a> {
    /// Element type.
    pub dtype: Dtype,
    /// Shape.
    pub shape: Vec<usize>,
    /// True for Fortran (column-major) order.
    pub fortran: bool,
    /// The elements.
    pub data: ArrayData<'a>,
}

impl NdArray<'_> {
    /// Number of elements (the product of the shape).
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    /// True when the array has no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn raw(&self) -> Result<&[u8], String> {
        if self.fortran && self.shape.iter().filter(|&&d| d > 1).count() > 1 {
            return Err(format!(
                "a Fortran-ordered array of shape {:?} (only C order is supported)",
                self.shape
            ));
        }
        match &self.data {
            ArrayData::Raw(b) => Ok(b.as_slice()),
            ArrayData::Objects(_) => Err("an object array where numbers were expected".into()),
        }
    }

    /// The elements as f32, from float32 or float64 data (float64 is rounded to nearest);
    /// any other dtype is an error naming it.
    pub fn to_f32(&self) -> Result<Vec<f32>, String> {
        let raw = self.raw()?;
        let be = self.dtype.big_endian;
        match (self.dtype.kind, self.dtype.size) {
            ('f', 4) => Ok(raw
                .chunks_exact(4)
                .map(|c| {
                    let b = [c[0], c[1], c[2], c[3]];
                    if be {
                        f32::from_be_bytes(b)
                    } else {
                        f32::from_le_bytes(b)
                    }
                })
                .collect()),
            ('f', 8) => Ok(raw
                .chunks_exact(8)
                .map(|c| {
                    let b = [c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]];
                    (if be {
                        f64::from_be_bytes(b)
                    } else {
                        f64::from_le_bytes(b)
                    }) as f32
                })
                .collect()),
            _ => Err(format!(
                "dtype {}, expected float32 or float64",
                self.dtype.name()
            )),
        }
    }

    /// The elements as f64, from float, signed, unsigned or bool data.
    pub fn to_f64(&self) -> Result<Vec<f64>, String> {
        let raw = self.raw()?;
        let (kind, size, be) = (self.dtype.kind, self.dtype.size, self.dtype.big_endian);
        if !matches!(
            (kind, size),
            ('f', 4 | 8) | ('i' | 'u', 1 | 2 | 4 | 8) | ('b', 1)
        ) {
            return Err(format!(
                "dtype {}, expected a numeric dtype",
                self.dtype.name()
            ));
        }
        Ok(raw
            .chunks_exact(size)
            .map(|c| {
                let mut b = [0u8; 8];
                if be {
                    // right-align big-endian bytes, then read big-endian
                    b[8 - size..].copy_from_slice(c);
                } else {
                    b[..size].copy_from_slice(c);
                }
                let u = if be {
                    u64::from_be_bytes(b)
                } else {
                    u64::from_le_bytes(b)
                };
                match (kind, size) {
                    ('f', 4) => f32::from_bits(u as u32) as f64,
                    ('f', _) => f64::from_bits(u),
                    ('i', s) => {
                        let shift = 64 - 8 * s as u32;
                        (((u << shift) as i64) >> shift) as f64
                    }
                    _ => u as f64,
                }
            })
            .collect())
    }
}

/// A generic Python object built by a callable this reader does not interpret.
#[derive(Debug, Clone)]
pub struct Object<'a> {
    /// The callable (usually a [`Value::Global`]).
    pub callable: Value<'a>,
    /// Its arguments.
    pub args: Value<'a>,
    /// State set by `BUILD`, if any.
    pub state: Option<Value<'a>>,
}

/// A value on the pickle machine's stack. Mutable containers are shared (`Rc<RefCell>`), as in
/// Python, so a memoised dict that is filled later is seen filled through every reference.
#[derive(Debug, Clone)]
pub enum Value<'a> {
    /// `None`.
    None,
    /// `True` / `False`.
    Bool(bool),
    /// An integer that fits in 64 bits.
    Int(i64),
    /// A float.
    Float(f64),
    /// A text string.
    Str(Text<'a>),
    /// A byte string (Python 3 `bytes`, Python 2 `str`, `bytearray`).
    Bytes(Bytes<'a>),
    /// A tuple.
    Tuple(Rc<Vec<Value<'a>>>),
    /// A list.
    List(Rc<RefCell<Vec<Value<'a>>>>),
    /// A dict, in insertion order.
    Dict(Rc<RefCell<Vec<(Value<'a>, Value<'a>)>>>),
    /// A set or frozenset.
    Set(Rc<RefCell<Vec<Value<'a>>>>),
    /// A global name `module.name` (a class or function; never called).
    Global(Rc<(String, String)>),
    /// A numpy array (`None` inside until its `BUILD` arrives).
    Array(Rc<RefCell<Option<NdArray<'a>>>>),
    /// A numpy dtype.
    Dtype(Rc<RefCell<Dtype>>),
    /// Any other object.
    Object(Rc<RefCell<Object<'a>>>),
}

impl<'a> Value<'a> {
    /// A short description of the value's type, for error messages.
    pub fn type_name(&self) -> String {
        match self {
            Value::None => "None".into(),
            Value::Bool(_) => "bool".into(),
            Value::Int(_) => "int".into(),
            Value::Float(_) => "float".into(),
            Value::Str(_) => "str".into(),
            Value::Bytes(_) => "bytes".into(),
            Value::Tuple(_) => "tuple".into(),
            Value::List(_) => "list".into(),
            Value::Dict(_) => "dict".into(),
            Value::Set(_) => "set".into(),
            Value::Global(g) => format!("global {}.{}", g.0, g.1),
            Value::Array(a) => match &*a.borrow() {
                Some(a) => format!("ndarray {} {:?}", a.dtype.name(), a.shape),
                None => "ndarray (never built)".into(),
            },
            Value::Dtype(_) => "dtype".into(),
            Value::Object(o) => match &o.borrow().callable {
                Value::Global(g) => format!("object {}.{}", g.0, g.1),
                _ => "object".into(),
            },
        }
    }

    /// Text of a `str`, or of a Python 2 byte string decoded as latin-1.
    pub fn as_text(&self) -> Option<String> {
        match self {
            Value::Str(s) => s.to_str().ok().map(str::to_string),
            Value::Bytes(b) => Some(b.as_slice().iter().map(|&c| c as char).collect()),
            _ => None,
        }
    }

    /// The entries of a dict whose keys are text (str, or Python 2 byte strings); `None` for
    /// anything else.
    pub fn as_text_dict(&self) -> Option<Vec<(String, Value<'a>)>> {
        match self {
            Value::Dict(d) => d
                .borrow()
                .iter()
                .map(|(k, v)| k.as_text().map(|k| (k, v.clone())))
                .collect(),
            _ => None,
        }
    }

    /// The array, if this is a built numpy array.
    pub fn as_array(&self) -> Option<Ref<'_, NdArray<'a>>> {
        match self {
            Value::Array(a) => Ref::filter_map(a.borrow(), |a| a.as_ref()).ok(),
            _ => None,
        }
    }

    /// Items of a list or tuple.
    pub fn as_items(&self) -> Option<Vec<Value<'a>>> {
        match self {
            Value::List(l) => Some(l.borrow().clone()),
            Value::Tuple(t) => Some(t.to_vec()),
            _ => None,
        }
    }

    /// A number as f64 (int, float or bool).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            Value::Bool(b) => Some(f64::from(u8::from(*b))),
            _ => None,
        }
    }
}

/// Reads one pickle from `data` and returns the value `STOP` found on the stack.
pub fn load(data: &[u8]) -> Result<Value<'_>, PickleError> {
    if data.is_empty() {
        return Err(PickleError {
            offset: 0,
            message: "empty input (0 bytes), expected a pickle".into(),
        });
    }
    let mut vm = Machine {
        data,
        pos: 0,
        stack: Vec::new(),
        marks: Vec::new(),
        memo: HashMap::new(),
        depths: HashMap::new(),
    };
    vm.run()
}

/// Containers may nest at most this deep: dropping a value recurses once per level, so a
/// hostile pickle of a million nested one-tuples (a few bytes each) must be refused, not
/// overflow the stack. The releases nest 3–4 levels.
pub const MAX_DEPTH: u32 = 1000;

struct Machine<'a> {
    data: &'a [u8],
    pos: usize,
    stack: Vec<Value<'a>>,
    marks: Vec<usize>,
    memo: HashMap<u64, Value<'a>>,
    /// Nesting depth of each container built so far, by address (absent = 1, i.e. empty).
    depths: HashMap<*const (), u32>,
}

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

type R<T> = Result<T, String>;

impl<'a> Machine<'a> {
    fn depth(&self, v: &Value<'a>) -> u32 {
        container_key(v).map_or(0, |k| self.depths.get(&k).copied().unwrap_or(1))
    }

    /// One more than the deepest of `children`.
    fn depth_over<'v>(&self, children: impl IntoIterator<Item = &'v Value<'a>>) -> u32
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
    fn note_depth(&mut self, v: &Value<'a>, d: u32) -> R<()> {
        if d > MAX_DEPTH {
            return Err(format!(
                "containers nested deeper than {MAX_DEPTH} levels (a hostile or corrupt pickle?)"
            ));
        }
        if let Some(k) = container_key(v) {
            let e = self.depths.entry(k).or_insert(1);
            *e = (*e).max(d);
        }
        Ok(())
    }

    /// Pushes a new container whose depth is one more than its deepest child.
    fn push_container(&mut self, v: Value<'a>, d: u32) -> R<()> {
        self.note_depth(&v, d)?;
        self.stack.push(v);
        Ok(())
    }

    /// Notes that the container on top of the stack now holds children of depth `d - 1`.
    fn deepen_top(&mut self, d: u32, what: &str) -> R<()> {
        let top = self.top(what)?.clone();
        self.note_depth(&top, d)
    }
}

fn opcode_name(op: u8) -> &'static str {
    match op {
        b'(' => "MARK",
        b'.' => "STOP",
        b'0' => "POP",
        b'1' => "POP_MARK",
        b'2' => "DUP",
        b'F' => "FLOAT",
        b'I' => "INT",
        b'J' => "BININT",
        b'K' => "BININT1",
        b'M' => "BININT2",
        b'L' => "LONG",
        0x8a => "LONG1",
        0x8b => "LONG4",
        b'S' => "STRING",
        b'T' => "BINSTRING",
        b'U' => "SHORT_BINSTRING",
        b'V' => "UNICODE",
        b'X' => "BINUNICODE",
        0x8c => "SHORT_BINUNICODE",
        0x8d => "BINUNICODE8",
        b'B' => "BINBYTES",
        b'C' => "SHORT_BINBYTES",
        0x8e => "BINBYTES8",
        0x96 => "BYTEARRAY8",
        b'N' => "NONE",
        0x88 => "NEWTRUE",
        0x89 => "NEWFALSE",
        b'G' => "BINFLOAT",
        b']' => "EMPTY_LIST",
        b'a' => "APPEND",
        b'e' => "APPENDS",
        b'l' => "LIST",
        b')' => "EMPTY_TUPLE",
        b't' => "TUPLE",
        0x85 => "TUPLE1",
        0x86 => "TUPLE2",
        0x87 => "TUPLE3",
        b'}' => "EMPTY_DICT",
        b'd' => "DICT",
        b's' => "SETITEM",
        b'u' => "SETITEMS",
        0x8f => "EMPTY_SET",
        0x90 => "ADDITEMS",
        0x91 => "FROZENSET",
        b'g' => "GET",
        b'h' => "BINGET",
        b'j' => "LONG_BINGET",
        b'p' => "PUT",
        b'q' => "BINPUT",
        b'r' => "LONG_BINPUT",
        0x94 => "MEMOIZE",
        b'c' => "GLOBAL",
        0x93 => "STACK_GLOBAL",
        b'R' => "REDUCE",
        b'b' => "BUILD",
        b'i' => "INST",
        b'o' => "OBJ",
        0x81 => "NEWOBJ",
        0x92 => "NEWOBJ_EX",
        0x80 => "PROTO",
        0x95 => "FRAME",
        b'P' => "PERSID",
        b'Q' => "BINPERSID",
        0x82 => "EXT1",
        0x83 => "EXT2",
        0x84 => "EXT4",
        0x97 => "NEXT_BUFFER",
        0x98 => "READONLY_BUFFER",
        _ => "unknown opcode",
    }
}

impl<'a> Machine<'a> {
    fn take(&mut self, n: usize, what: &str) -> R<&'a [u8]> {
        let remaining = self.data.len() - self.pos;
        if n > remaining {
            return Err(format!(
                "truncated input: {what} needs {n} bytes, only {remaining} remain"
            ));
        }
        let s = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn u8(&mut self, what: &str) -> R<u8> {
        Ok(self.take(1, what)?[0])
    }

    fn u16(&mut self, what: &str) -> R<u16> {
        let b = self.take(2, what)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }

    fn u32(&mut self, what: &str) -> R<u32> {
        let b = self.take(4, what)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn u64(&mut self, what: &str) -> R<u64> {
        let b = self.take(8, what)?;
        Ok(u64::from_le_bytes(b.try_into().expect("8 bytes")))
    }

    fn len64(&mut self, what: &str) -> R<usize> {
        let n = self.u64(what)?;
        usize::try_from(n).map_err(|_| format!("{what}: length {n} does not fit in memory"))
    }

    fn line(&mut self, what: &str) -> R<&'a [u8]> {
        let rest = &self.data[self.pos..];
        let end = rest
            .iter()
            .position(|&c| c == b'\n')
            .ok_or_else(|| format!("truncated input: {what} has no end of line"))?;
        self.pos += end + 1;
        Ok(&rest[..end])
    }

    fn line_text(&mut self, what: &str) -> R<String> {
        let l = self.line(what)?;
        String::from_utf8(l.to_vec()).map_err(|_| format!("{what}: line is not UTF-8"))
    }

    fn pop(&mut self, what: &str) -> R<Value<'a>> {
        let floor = self.marks.last().copied().unwrap_or(0);
        if self.stack.len() <= floor {
            return Err(format!("{what}: the stack is empty"));
        }
        Ok(self.stack.pop().expect("checked"))
    }

    fn top(&mut self, what: &str) -> R<&mut Value<'a>> {
        let floor = self.marks.last().copied().unwrap_or(0);
        if self.stack.len() <= floor {
            return Err(format!("{what}: the stack is empty"));
        }
        Ok(self.stack.last_mut().expect("checked"))
    }

    fn pop_mark(&mut self, what: &str) -> R<Vec<Value<'a>>> {
        let mark = self
            .marks
            .pop()
            .ok_or_else(|| format!("{what}: no MARK on the stack"))?;
        Ok(self.stack.split_off(mark))
    }

    fn memo_get(&self, key: u64) -> R<Value<'a>> {
        self.memo
            .get(&key)
            .cloned()
            .ok_or_else(|| format!("memo key {key} was never stored"))
    }

    fn memo_put(&mut self, key: u64) -> R<()> {
        let v = self
            .stack
            .last()
            .cloned()
            .ok_or("memo store with an empty stack")?;
        self.memo.insert(key, v);
        Ok(())
    }

    fn run(&mut self) -> Result<Value<'a>, PickleError> {
        loop {
            let offset = self.pos;
            let op = match self.data.get(self.pos) {
                Some(&op) => op,
                None => {
                    return Err(PickleError {
                        offset,
                        message: "truncated input: the pickle ends without a STOP opcode".into(),
                    })
                }
            };
            self.pos += 1;
            match self.step(op) {
                Ok(true) => {
                    return self
                        .pop("STOP")
                        .map_err(|message| PickleError { offset, message })
                }
                Ok(false) => {}
                Err(message) => {
                    return Err(PickleError {
                        offset,
                        message: format!("{} (0x{op:02x}): {message}", opcode_name(op)),
                    })
                }
            }
        }
    }

    /// Executes one opcode; `Ok(true)` at `STOP`.
    fn step(&mut self, op: u8) -> R<bool> {
        match op {
            0x80 => {
                let proto = self.u8("protocol number")?;
                if proto > 5 {
                    return Err(format!("protocol {proto} is newer than 5"));
                }
            }
            0x95 => {
                self.u64("frame length")?;
            }
            b'.' => return Ok(true),
            b'(' => self.marks.push(self.stack.len()),
            b'0' => {
                self.pop("POP")?;
            }
            b'1' => {
                self.pop_mark("POP_MARK")?;
            }
            b'2' => {
                let v = self.top("DUP")?.clone();
                self.stack.push(v);
            }
            // numbers
            b'N' => self.stack.push(Value::None),
            0x88 => self.stack.push(Value::Bool(true)),
            0x89 => self.stack.push(Value::Bool(false)),
            b'J' => {
                let b = self.take(4, "BININT")?;
                self.stack.push(Value::Int(
                    i32::from_le_bytes([b[0], b[1], b[2], b[3]]) as i64
                ));
            }
            b'K' => {
                let v = self.u8("BININT1")?;
                self.stack.push(Value::Int(v as i64));
            }
            b'M' => {
                let v = self.u16("BININT2")?;
                self.stack.push(Value::Int(v as i64));
            }
            b'I' => {
                let l = self.line_text("INT")?;
                let v = match l.as_str() {
                    "00" => Value::Bool(false),
                    "01" => Value::Bool(true),
                    s => Value::Int(s.parse().map_err(|_| format!("bad INT literal {s:?}"))?),
                };
                self.stack.push(v);
            }
            b'L' => {
                let l = self.line_text("LONG")?;
                let s = l.trim_end_matches('L');
                let v: i64 = s
                    .parse()
                    .map_err(|_| format!("LONG literal {s:?} does not fit in 64 bits"))?;
                self.stack.push(Value::Int(v));
            }
            0x8a | 0x8b => {
                let n = if op == 0x8a {
                    self.u8("LONG1 length")? as usize
                } else {
                    self.u32("LONG4 length")? as usize
                };
                let b = self.take(n, "long integer bytes")?;
                if n > 8 {
                    return Err(format!("a {n}-byte integer does not fit in 64 bits"));
                }
                let v = if n == 0 {
                    0
                } else {
                    let mut buf = if b[n - 1] & 0x80 != 0 {
                        [0xffu8; 8]
                    } else {
                        [0u8; 8]
                    };
                    buf[..n].copy_from_slice(b);
                    i64::from_le_bytes(buf)
                };
                self.stack.push(Value::Int(v));
            }
            b'F' => {
                let l = self.line_text("FLOAT")?;
                let v: f64 = l
                    .trim()
                    .parse()
                    .map_err(|_| format!("bad FLOAT literal {l:?}"))?;
                self.stack.push(Value::Float(v));
            }
            b'G' => {
                let b = self.take(8, "BINFLOAT")?;
                self.stack
                    .push(Value::Float(f64::from_be_bytes(b.try_into().expect("8"))));
            }
            // strings and bytes
            b'S' => {
                let l = self.line("STRING")?;
                let v = unquote_py2_string(l)?;
                self.stack.push(Value::Bytes(Bytes::Owned(v.into())));
            }
            b'T' => {
                let n = self.u32("BINSTRING length")?;
                let b = self.take(n as usize, "BINSTRING data")?;
                self.stack.push(Value::Bytes(Bytes::Borrowed(b)));
            }
            b'U' => {
                let n = self.u8("SHORT_BINSTRING length")?;
                let b = self.take(n as usize, "SHORT_BINSTRING data")?;
                self.stack.push(Value::Bytes(Bytes::Borrowed(b)));
            }
            b'B' | b'C' | 0x8e | 0x96 => {
                let n = match op {
                    b'B' => self.u32("BINBYTES length")? as usize,
                    b'C' => self.u8("SHORT_BINBYTES length")? as usize,
                    _ => self.len64("BINBYTES8 length")?,
                };
                let b = self.take(n, "bytes data")?;
                self.stack.push(Value::Bytes(Bytes::Borrowed(b)));
            }
            b'V' => {
                let l = self.line("UNICODE")?;
                let s = raw_unicode_escape(l)?;
                self.stack.push(Value::Str(Text::Owned(s.into())));
            }
            b'X' | 0x8c | 0x8d => {
                let n = match op {
                    b'X' => self.u32("BINUNICODE length")? as usize,
                    0x8c => self.u8("SHORT_BINUNICODE length")? as usize,
                    _ => self.len64("BINUNICODE8 length")?,
                };
                let b = self.take(n, "unicode data")?;
                self.stack.push(Value::Str(Text::Borrowed(b)));
            }
            // containers
            b']' => self.stack.push(Value::List(Rc::default())),
            b')' => self.stack.push(Value::Tuple(Rc::new(Vec::new()))),
            b'}' => self.stack.push(Value::Dict(Rc::default())),
            0x8f => self.stack.push(Value::Set(Rc::default())),
            b'l' => {
                let items = self.pop_mark("LIST")?;
                let d = self.depth_over(&items);
                self.push_container(Value::List(Rc::new(RefCell::new(items))), d)?;
            }
            b't' => {
                let items = self.pop_mark("TUPLE")?;
                let d = self.depth_over(&items);
                self.push_container(Value::Tuple(Rc::new(items)), d)?;
            }
            0x85..=0x87 => {
                let n = (op - 0x84) as usize;
                let mut items = Vec::with_capacity(n);
                for _ in 0..n {
                    items.push(self.pop("TUPLEn")?);
                }
                items.reverse();
                let d = self.depth_over(&items);
                self.push_container(Value::Tuple(Rc::new(items)), d)?;
            }
            b'd' => {
                let items = self.pop_mark("DICT")?;
                let d = self.depth_over(&items);
                let pairs = pairs(items)?;
                self.push_container(Value::Dict(Rc::new(RefCell::new(pairs))), d)?;
            }
            0x91 => {
                let items = self.pop_mark("FROZENSET")?;
                let d = self.depth_over(&items);
                self.push_container(Value::Set(Rc::new(RefCell::new(items))), d)?;
            }
            b'a' => {
                let v = self.pop("APPEND")?;
                let d = self.depth_over([&v]);
                self.deepen_top(d, "APPEND")?;
                extend(self.top("APPEND")?, vec![v])?;
            }
            b'e' => {
                let items = self.pop_mark("APPENDS")?;
                let d = self.depth_over(&items);
                self.deepen_top(d, "APPENDS")?;
                extend(self.top("APPENDS")?, items)?;
            }
            0x90 => {
                let items = self.pop_mark("ADDITEMS")?;
                let d = self.depth_over(&items);
                self.deepen_top(d, "ADDITEMS")?;
                match self.top("ADDITEMS")? {
                    Value::Set(s) => s.borrow_mut().extend(items),
                    other => return Err(format!("ADDITEMS on a {}", other.type_name())),
                }
            }
            b's' => {
                let v = self.pop("SETITEM")?;
                let k = self.pop("SETITEM")?;
                let d = self.depth_over([&k, &v]);
                self.deepen_top(d, "SETITEM")?;
                set_items(self.top("SETITEM")?, vec![(k, v)])?;
            }
            b'u' => {
                let items = self.pop_mark("SETITEMS")?;
                let d = self.depth_over(&items);
                self.deepen_top(d, "SETITEMS")?;
                let pairs = pairs(items)?;
                set_items(self.top("SETITEMS")?, pairs)?;
            }
            // memo
            b'g' => {
                let k = self.line_text("GET")?;
                let k = k.parse().map_err(|_| format!("bad memo key {k:?}"))?;
                let v = self.memo_get(k)?;
                self.stack.push(v);
            }
            b'h' => {
                let k = self.u8("BINGET")? as u64;
                let v = self.memo_get(k)?;
                self.stack.push(v);
            }
            b'j' => {
                let k = self.u32("LONG_BINGET")? as u64;
                let v = self.memo_get(k)?;
                self.stack.push(v);
            }
            b'p' => {
                let k = self.line_text("PUT")?;
                let k = k.parse().map_err(|_| format!("bad memo key {k:?}"))?;
                self.memo_put(k)?;
            }
            b'q' => {
                let k = self.u8("BINPUT")? as u64;
                self.memo_put(k)?;
            }
            b'r' => {
                let k = self.u32("LONG_BINPUT")? as u64;
                self.memo_put(k)?;
            }
            0x94 => {
                let k = self.memo.len() as u64;
                self.memo_put(k)?;
            }
            // objects
            b'c' => {
                let module = self.line_text("GLOBAL module")?;
                let name = self.line_text("GLOBAL name")?;
                self.stack.push(Value::Global(Rc::new((module, name))));
            }
            0x93 => {
                let name = self.pop("STACK_GLOBAL")?;
                let module = self.pop("STACK_GLOBAL")?;
                match (module.as_text(), name.as_text()) {
                    (Some(m), Some(n)) => self.stack.push(Value::Global(Rc::new((m, n)))),
                    _ => return Err("STACK_GLOBAL needs two strings".into()),
                }
            }
            b'R' => {
                let args = self.pop("REDUCE")?;
                let callable = self.pop("REDUCE")?;
                let d = self.depth_over([&args]);
                let v = reduce(callable, args)?;
                self.push_container(v, d)?;
            }
            0x81 => {
                let args = self.pop("NEWOBJ")?;
                let cls = self.pop("NEWOBJ")?;
                let d = self.depth_over([&args]);
                let v = reduce(cls, args)?;
                self.push_container(v, d)?;
            }
            0x92 => {
                let _kwargs = self.pop("NEWOBJ_EX")?;
                let args = self.pop("NEWOBJ_EX")?;
                let cls = self.pop("NEWOBJ_EX")?;
                let d = self.depth_over([&args]);
                let v = reduce(cls, args)?;
                self.push_container(v, d)?;
            }
            b'o' => {
                let mut items = self.pop_mark("OBJ")?;
                if items.is_empty() {
                    return Err("OBJ without a class".into());
                }
                let cls = items.remove(0);
                let d = 1 + self.depth_over(&items);
                let v = reduce(cls, Value::Tuple(Rc::new(items)))?;
                self.push_container(v, d)?;
            }
            b'i' => {
                let module = self.line_text("INST module")?;
                let name = self.line_text("INST name")?;
                let items = self.pop_mark("INST")?;
                let cls = Value::Global(Rc::new((module, name)));
                let d = 1 + self.depth_over(&items);
                let v = reduce(cls, Value::Tuple(Rc::new(items)))?;
                self.push_container(v, d)?;
            }
            b'b' => {
                let state = self.pop("BUILD")?;
                let target = self.top("BUILD")?.clone();
                let d = self.depth_over([&state]);
                self.note_depth(&target, d)?;
                build(&target, state)?;
            }
            b'P' | b'Q' => {
                return Err(
                    "persistent ids are not supported (a torch.save file, not a plain pickle?)"
                        .into(),
                )
            }
            0x82..=0x84 => return Err("the copyreg extension registry is not supported".into()),
            0x97 | 0x98 => {
                return Err(
                    "out-of-band buffers (protocol 5 buffer_callback) are not supported; \
                     re-save the pickle without buffer_callback"
                        .into(),
                )
            }
            _ => return Err("not a pickle opcode".into()),
        }
        Ok(false)
    }
}

fn pairs<'a>(items: Vec<Value<'a>>) -> R<Vec<(Value<'a>, Value<'a>)>> {
    if !items.len().is_multiple_of(2) {
        return Err(format!("{} items do not form key/value pairs", items.len()));
    }
    let mut out = Vec::with_capacity(items.len() / 2);
    let mut it = items.into_iter();
    while let (Some(k), Some(v)) = (it.next(), it.next()) {
        out.push((k, v));
    }
    Ok(out)
}

fn extend<'a>(target: &mut Value<'a>, items: Vec<Value<'a>>) -> R<()> {
    match target {
        Value::List(l) => {
            l.borrow_mut().extend(items);
            Ok(())
        }
        other => Err(format!("append to a {}", other.type_name())),
    }
}

fn set_items<'a>(target: &mut Value<'a>, items: Vec<(Value<'a>, Value<'a>)>) -> R<()> {
    match target {
        Value::Dict(d) => {
            let mut d = d.borrow_mut();
            for (k, v) in items {
                // a repeated key replaces the earlier value, as in Python
                let key = k.as_text();
                if let Some(slot) = key.as_ref().and_then(|key| {
                    d.iter_mut()
                        .find(|(k2, _)| k2.as_text().as_ref() == Some(key))
                }) {
                    slot.1 = v;
                } else {
                    d.push((k, v));
                }
            }
            Ok(())
        }
        other => Err(format!("set item on a {}", other.type_name())),
    }
}

fn global_name(v: &Value<'_>) -> Option<(String, String)> {
    match v {
        Value::Global(g) => Some((g.0.clone(), g.1.clone())),
        _ => None,
    }
}

fn tuple_items<'a>(v: &Value<'a>, what: &str) -> R<Vec<Value<'a>>> {
    v.as_items().ok_or_else(|| {
        format!(
            "{what}: arguments are a {}, expected a tuple",
            v.type_name()
        )
    })
}

fn dtype_of(v: &Value<'_>) -> Option<Dtype> {
    match v {
        Value::Dtype(d) => Some(d.borrow().clone()),
        other => other.as_text().and_then(|s| Dtype::parse(&s)),
    }
}

fn shape_of(v: &Value<'_>) -> R<Vec<usize>> {
    let items = match v {
        Value::Int(n) => vec![Value::Int(*n)],
        other => other
            .as_items()
            .ok_or_else(|| format!("array shape is a {}", other.type_name()))?,
    };
    items
        .iter()
        .map(|d| match d {
            Value::Int(n) if *n >= 0 => Ok(*n as usize),
            other => Err(format!("array dimension {other:?} is not a count")),
        })
        .collect()
}

fn is_module(module: &str, last: &str) -> bool {
    // numpy.core.multiarray, numpy._core.multiarray, numpy.core.numeric, …
    module.starts_with("numpy") && module.ends_with(last)
}

/// Applies a callable to arguments: the interpreted numpy / codecs helpers, or a generic object.
fn reduce<'a>(callable: Value<'a>, args: Value<'a>) -> R<Value<'a>> {
    let Some((module, name)) = global_name(&callable) else {
        return Ok(Value::Object(Rc::new(RefCell::new(Object {
            callable,
            args,
            state: None,
        }))));
    };
    match (module.as_str(), name.as_str()) {
        (m, "_reconstruct") if is_module(m, "multiarray") => {
            Ok(Value::Array(Rc::new(RefCell::new(None))))
        }
        ("numpy", "dtype") => {
            let a = tuple_items(&args, "numpy.dtype")?;
            let descr = a
                .first()
                .and_then(|d| d.as_text())
                .ok_or("numpy.dtype without a type string")?;
            let dtype =
                Dtype::parse(&descr).ok_or_else(|| format!("unknown numpy dtype {descr:?}"))?;
            Ok(Value::Dtype(Rc::new(RefCell::new(dtype))))
        }
        (m, "_frombuffer") if is_module(m, "numeric") => {
            let a = tuple_items(&args, "numpy _frombuffer")?;
            if a.len() < 3 {
                return Err("numpy _frombuffer needs (buffer, dtype, shape, order)".into());
            }
            let bytes = match &a[0] {
                Value::Bytes(b) => b.clone(),
                other => return Err(format!("_frombuffer buffer is a {}", other.type_name())),
            };
            let dtype = dtype_of(&a[1]).ok_or("_frombuffer dtype is not a dtype")?;
            let shape = shape_of(&a[2])?;
            let fortran = a.get(3).and_then(|o| o.as_text()).as_deref() == Some("F");
            let array = checked_array(dtype, shape, fortran, ArrayData::Raw(bytes))?;
            Ok(Value::Array(Rc::new(RefCell::new(Some(array)))))
        }
        (m, "scalar") if is_module(m, "multiarray") => {
            let a = tuple_items(&args, "numpy scalar")?;
            let dtype = a.first().and_then(dtype_of).ok_or("numpy scalar dtype")?;
            let raw = match a.get(1) {
                Some(Value::Bytes(b)) => b.clone(),
                _ => return Ok(generic(callable, args)),
            };
            let array = checked_array(dtype, vec![], false, ArrayData::Raw(raw))?;
            match array.to_f64() {
                Ok(v) if array.dtype.kind == 'f' => Ok(Value::Float(v[0])),
                Ok(v) => Ok(Value::Int(v[0] as i64)),
                Err(_) => Ok(generic(callable, args)),
            }
        }
        ("_codecs", "encode") => {
            let a = tuple_items(&args, "_codecs.encode")?;
            let text = a
                .first()
                .and_then(|t| match t {
                    Value::Str(s) => Some(s.clone()),
                    _ => None,
                })
                .ok_or("_codecs.encode without text")?;
            let enc = a.get(1).and_then(|e| e.as_text()).unwrap_or_default();
            let enc = enc.to_ascii_lowercase().replace(['-', '_'], "");
            let bytes: Vec<u8> = match enc.as_str() {
                "latin1" | "iso88591" | "l1" => latin1_bytes(text.utf8())?,
                "utf8" | "" => text.to_str()?.as_bytes().to_vec(),
                other => return Err(format!("_codecs.encode with encoding {other:?}")),
            };
            Ok(Value::Bytes(Bytes::Owned(bytes.into())))
        }
        ("collections", "OrderedDict") => Ok(Value::Dict(Rc::default())),
        ("builtins" | "__builtin__", "bytearray") => {
            let a = tuple_items(&args, "bytearray")?;
            match a.first() {
                Some(Value::Bytes(b)) => Ok(Value::Bytes(b.clone())),
                None => Ok(Value::Bytes(Bytes::Owned(Rc::from(Vec::new())))),
                Some(Value::Str(_)) => {
                    // bytearray(text, 'latin-1') under protocol 2
                    reduce(
                        Value::Global(Rc::new(("_codecs".into(), "encode".into()))),
                        args,
                    )
                }
                Some(other) => Err(format!("bytearray of a {}", other.type_name())),
            }
        }
        _ => Ok(generic(callable, args)),
    }
}

fn generic<'a>(callable: Value<'a>, args: Value<'a>) -> Value<'a> {
    Value::Object(Rc::new(RefCell::new(Object {
        callable,
        args,
        state: None,
    })))
}

fn checked_array<'a>(
    dtype: Dtype,
    shape: Vec<usize>,
    fortran: bool,
    data: ArrayData<'a>,
) -> R<NdArray<'a>> {
    let count = shape
        .iter()
        .try_fold(1usize, |a, &d| a.checked_mul(d))
        .ok_or_else(|| format!("array shape {shape:?} overflows"))?;
    match &data {
        ArrayData::Raw(b) => {
            if dtype.kind == 'O' {
                return Err("an object array with raw bytes".into());
            }
            let expected = count
                .checked_mul(dtype.size)
                .ok_or_else(|| format!("array shape {shape:?} overflows"))?;
            if b.as_slice().len() != expected {
                return Err(format!(
                    "array of shape {shape:?} and dtype {} needs {expected} bytes, the pickle holds {}",
                    dtype.name(),
                    b.as_slice().len()
                ));
            }
        }
        ArrayData::Objects(items) => {
            if items.len() != count {
                return Err(format!(
                    "object array of shape {shape:?} holds {} items",
                    items.len()
                ));
            }
        }
    }
    Ok(NdArray {
        dtype,
        shape,
        fortran,
        data,
    })
}

/// Applies `BUILD` state to an array, a dtype or a generic object.
fn build<'a>(target: &Value<'a>, state: Value<'a>) -> R<()> {
    match target {
        Value::Array(slot) => {
            let items = tuple_items(&state, "ndarray state")?;
            // (version, shape, dtype, is_fortran, raw) or, from old numpy, without the version
            let items = match items.len() {
                5 => &items[1..],
                4 => &items[..],
                n => return Err(format!("ndarray state has {n} items, expected 4 or 5")),
            };
            let shape = shape_of(&items[0])?;
            let dtype = dtype_of(&items[1]).ok_or_else(|| {
                format!(
                    "ndarray dtype is a {}, expected a dtype",
                    items[1].type_name()
                )
            })?;
            let fortran = matches!(items[2], Value::Bool(true) | Value::Int(1));
            let data = match &items[3] {
                Value::Bytes(b) => ArrayData::Raw(b.clone()),
                Value::Str(s) => {
                    // Python 2 str decoded as text by a Python 3 writer: latin-1 back to bytes
                    let bytes = latin1_bytes(s.utf8())
                        .map_err(|e| format!("array data is not latin-1: {e}"))?;
                    ArrayData::Raw(Bytes::Owned(bytes.into()))
                }
                Value::List(l) => ArrayData::Objects(l.borrow().clone()),
                other => {
                    return Err(format!(
                        "ndarray data is a {}, expected bytes or a list",
                        other.type_name()
                    ))
                }
            };
            *slot.borrow_mut() = Some(checked_array(dtype, shape, fortran, data)?);
            Ok(())
        }
        Value::Dtype(d) => {
            if let Some(items) = state.as_items() {
                if let Some(order) = items.get(1).and_then(|o| o.as_text()) {
                    d.borrow_mut().big_endian = order == ">";
                }
            }
            Ok(())
        }
        Value::Object(o) => {
            o.borrow_mut().state = Some(state);
            Ok(())
        }
        Value::Dict(_) => {
            // dict subclasses (e.g. OrderedDict) may carry a state dict of attributes: ignore
            Ok(())
        }
        other => Err(format!("BUILD on a {}", other.type_name())),
    }
}

/// Decodes a protocol-0 `STRING` literal: a Python 2 repr in single or double quotes.
fn unquote_py2_string(l: &[u8]) -> R<Vec<u8>> {
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
fn raw_unicode_escape(l: &[u8]) -> R<String> {
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
    fn reads_small_values() {
        // pickle.dumps({'a': [1, 2.5, None, True], 'b': (b'xy', 'z')}, protocol=2)
        let p = b"\x80\x02}q\x00(X\x01\x00\x00\x00aq\x01]q\x02(K\x01G@\x04\x00\x00\x00\x00\x00\x00N\x88eX\x01\x00\x00\x00bq\x03c_codecs\nencode\nq\x04X\x02\x00\x00\x00xyq\x05X\x06\x00\x00\x00latin1q\x06\x86q\x07Rq\x08X\x01\x00\x00\x00zq\t\x86q\nu.";
        let v = load(p).unwrap();
        let d = v.as_text_dict().unwrap();
        assert_eq!(d[0].0, "a");
        let items = d[0].1.as_items().unwrap();
        assert_eq!(items[0].as_f64(), Some(1.0));
        assert_eq!(items[1].as_f64(), Some(2.5));
        assert!(matches!(items[2], Value::None));
        let b = d[1].1.as_items().unwrap();
        assert!(matches!(&b[0], Value::Bytes(x) if x.as_slice() == b"xy"));
        assert_eq!(b[1].as_text().as_deref(), Some("z"));
    }

    #[test]
    fn errors_name_the_offset() {
        let e = load(b"\x80\x04K").unwrap_err();
        assert_eq!(e.offset, 2);
        assert!(e.message.contains("truncated"), "{e}");
        let e = load(b"\x80\x04K\x01").unwrap_err();
        assert!(e.message.contains("without a STOP"), "{e}");
        assert!(load(b"").unwrap_err().message.contains("empty"));
    }

    #[test]
    fn deep_nesting_is_refused_not_a_stack_overflow() {
        // EMPTY_TUPLE, then a million TUPLE1: a million nested one-tuples in 1 MB
        let mut p = vec![0x80, 4, b')'];
        p.extend(std::iter::repeat_n(0x85u8, 1_000_000));
        p.push(b'.');
        let e = load(&p).unwrap_err();
        assert!(e.message.contains("nested deeper than 1000"), "{e}");
        // the same with lists built by APPEND
        let mut p = vec![0x80, 4];
        p.extend(std::iter::repeat_n(b']', 5000));
        p.extend(std::iter::repeat_n(b'a', 4999));
        p.push(b'.');
        assert!(load(&p).unwrap_err().message.contains("nested deeper"));
        // 1000 levels are fine
        let mut p = vec![0x80, 4, b')'];
        p.extend(std::iter::repeat_n(0x85u8, 999));
        p.push(b'.');
        assert!(load(&p).is_ok());
    }

    #[test]
    fn latin1_round_trip() {
        let all: String = (0u32..256).map(|c| char::from_u32(c).unwrap()).collect();
        let bytes = latin1_bytes(all.as_bytes()).unwrap();
        assert_eq!(bytes, (0u8..=255).collect::<Vec<u8>>());
        assert!(latin1_bytes("snow \u{2603}".as_bytes())
            .unwrap_err()
            .contains("U+2603"));
    }

    #[test]
    fn dtype_strings() {
        assert_eq!(
            Dtype::parse("<f4"),
            Some(Dtype {
                kind: 'f',
                size: 4,
                big_endian: false
            })
        );
        assert!(Dtype::parse(">f8").unwrap().big_endian);
        assert_eq!(Dtype::parse("U7").unwrap().size, 28);
        assert_eq!(Dtype::parse("O8").unwrap().name(), "object");
    }
}
