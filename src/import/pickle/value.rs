//! The values a pickle builds: Python's plain data, numpy arrays and dtypes, and generic objects.

use super::numpy::{Dtype, NdArray};
use std::cell::{Ref, RefCell};
use std::rc::Rc;

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
/// (protocols 0–2) are decoded straight to bytes by [`latin1_bytes`](super::latin1_bytes), never validated twice.
#[derive(Debug, Clone)]
pub enum Text<'a> {
    /// The pickled UTF-8 bytes.
    Borrowed(&'a [u8]),
    /// Text built while reading.
    Owned(Rc<str>),
}

impl Text<'_> {
    /// The text, or an error when the pickled bytes are not UTF-8.
    pub fn to_str(&self) -> Result<&str, std::str::Utf8Error> {
        match self {
            Text::Borrowed(b) => std::str::from_utf8(b),
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
