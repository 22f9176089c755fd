//! The numpy layer: dtypes and arrays, and the few callables the reader interprets
//! (`_reconstruct`, `_frombuffer`, `dtype`, `scalar`, `_codecs.encode`, `OrderedDict`,
//! `bytearray`); any other callable becomes a generic [`Object`].

use super::strings::latin1_bytes;
use super::value::{Bytes, Object, Value};
use super::{ArrayError, Fault, R};
use std::cell::RefCell;
use std::rc::Rc;

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

    fn raw(&self) -> Result<&[u8], ArrayError> {
        if self.fortran && self.shape.iter().filter(|&&d| d > 1).count() > 1 {
            return Err(ArrayError::FortranOrder(self.shape.clone()));
        }
        match &self.data {
            ArrayData::Raw(b) => Ok(b.as_slice()),
            ArrayData::Objects(_) => Err(ArrayError::Objects),
        }
    }

    /// The elements as text, in C order: numpy byte strings (`S`, decoded as latin-1) and
    /// unicode strings (`U`) without their NUL padding, or the items of an object array that
    /// are `str` or `bytes`; any other dtype or item is an error naming it.
    pub fn to_texts(&self) -> Result<Vec<String>, ArrayError> {
        if let ArrayData::Objects(items) = &self.data {
            return items
                .iter()
                .enumerate()
                .map(|(index, v)| {
                    v.as_text().ok_or_else(|| ArrayError::NotText {
                        index,
                        found: v.type_name(),
                    })
                })
                .collect();
        }
        let raw = self.raw()?;
        let size = self.dtype.size;
        match self.dtype.kind {
            'S' | 'U' if size == 0 => Ok(vec![String::new(); self.len()]),
            'S' => Ok(raw
                .chunks_exact(size)
                .map(|c| {
                    let end = c.iter().rposition(|&b| b != 0).map_or(0, |p| p + 1);
                    c[..end].iter().map(|&b| b as char).collect()
                })
                .collect()),
            'U' => raw
                .chunks_exact(size)
                .map(|c| {
                    c.chunks_exact(4)
                        .map(|b| {
                            let b = [b[0], b[1], b[2], b[3]];
                            if self.dtype.big_endian {
                                u32::from_be_bytes(b)
                            } else {
                                u32::from_le_bytes(b)
                            }
                        })
                        .take_while(|&cp| cp != 0)
                        .map(|cp| char::from_u32(cp).ok_or(ArrayError::BadCodePoint(cp)))
                        .collect()
                })
                .collect(),
            _ => Err(ArrayError::Dtype {
                found: self.dtype.name(),
                expected: "text (bytes, str or object)",
            }),
        }
    }

    /// The elements as f32, from float32 or float64 data (float64 is rounded to nearest);
    /// any other dtype is an error naming it.
    pub fn to_f32(&self) -> Result<Vec<f32>, ArrayError> {
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
            _ => Err(ArrayError::Dtype {
                found: self.dtype.name(),
                expected: "float32 or float64",
            }),
        }
    }

    /// The elements as f64, from float, signed, unsigned or bool data.
    pub fn to_f64(&self) -> Result<Vec<f64>, ArrayError> {
        let raw = self.raw()?;
        let (kind, size, be) = (self.dtype.kind, self.dtype.size, self.dtype.big_endian);
        if !matches!(
            (kind, size),
            ('f', 4 | 8) | ('i' | 'u', 1 | 2 | 4 | 8) | ('b', 1)
        ) {
            return Err(ArrayError::Dtype {
                found: self.dtype.name(),
                expected: "a numeric dtype",
            });
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

/// `(module, name)` of a global.
fn global_name(v: &Value<'_>) -> Option<(String, String)> {
    match v {
        Value::Global(g) => Some((g.0.clone(), g.1.clone())),
        _ => None,
    }
}

/// The items of a tuple (or list) of arguments; `what` names the callable in the error.
fn tuple_items<'a>(v: &Value<'a>, what: &str) -> R<Vec<Value<'a>>> {
    v.as_items().ok_or_else(|| {
        Fault::Invalid(format!(
            "{what}: arguments are a {}, expected a tuple",
            v.type_name()
        ))
    })
}

/// A dtype value, or a numpy type string parsed as one.
fn dtype_of(v: &Value<'_>) -> Option<Dtype> {
    match v {
        Value::Dtype(d) => Some(d.borrow().clone()),
        other => other.as_text().and_then(|s| Dtype::parse(&s)),
    }
}

/// An array shape: a tuple of counts (or one int).
fn shape_of(v: &Value<'_>) -> R<Vec<usize>> {
    let items = match v {
        Value::Int(n) => vec![Value::Int(*n)],
        other => other
            .as_items()
            .ok_or_else(|| Fault::Invalid(format!("array shape is a {}", other.type_name())))?,
    };
    items
        .iter()
        .map(|d| match d {
            Value::Int(n) if *n >= 0 => Ok(*n as usize),
            other => Err(Fault::Invalid(format!(
                "array dimension {other:?} is not a count"
            ))),
        })
        .collect()
}

/// True for a numpy module whose path ends in `last`.
fn is_module(module: &str, last: &str) -> bool {
    // numpy.core.multiarray, numpy._core.multiarray, numpy.core.numeric, …
    module.starts_with("numpy") && module.ends_with(last)
}

/// Applies a callable to arguments: the interpreted numpy / codecs helpers, or a generic object.
pub(super) fn reduce<'a>(callable: Value<'a>, args: Value<'a>) -> R<Value<'a>> {
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
            let dtype = Dtype::parse(&descr)
                .ok_or_else(|| Fault::Invalid(format!("unknown numpy dtype {descr:?}")))?;
            Ok(Value::Dtype(Rc::new(RefCell::new(dtype))))
        }
        (m, "_frombuffer") if is_module(m, "numeric") => {
            let a = tuple_items(&args, "numpy _frombuffer")?;
            if a.len() < 3 {
                return Err("numpy _frombuffer needs (buffer, dtype, shape, order)".into());
            }
            let bytes = match &a[0] {
                Value::Bytes(b) => b.clone(),
                other => {
                    return Err(Fault::Invalid(format!(
                        "_frombuffer buffer is a {}",
                        other.type_name()
                    )))
                }
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
                other => {
                    return Err(Fault::Invalid(format!(
                        "_codecs.encode with encoding {other:?}"
                    )))
                }
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
                Some(other) => Err(Fault::Invalid(format!(
                    "bytearray of a {}",
                    other.type_name()
                ))),
            }
        }
        _ => Ok(generic(callable, args)),
    }
}

/// A generic object of `callable` applied to `args`.
fn generic<'a>(callable: Value<'a>, args: Value<'a>) -> Value<'a> {
    Value::Object(Rc::new(RefCell::new(Object {
        callable,
        args,
        state: None,
    })))
}

/// An array whose element bytes (or items) fit its dtype and shape.
fn checked_array<'a>(
    dtype: Dtype,
    shape: Vec<usize>,
    fortran: bool,
    data: ArrayData<'a>,
) -> R<NdArray<'a>> {
    let count = shape
        .iter()
        .try_fold(1usize, |a, &d| a.checked_mul(d))
        .ok_or_else(|| Fault::Invalid(format!("array shape {shape:?} overflows")))?;
    match &data {
        ArrayData::Raw(b) => {
            if dtype.kind == 'O' {
                return Err("an object array with raw bytes".into());
            }
            let expected = count
                .checked_mul(dtype.size)
                .ok_or_else(|| Fault::Invalid(format!("array shape {shape:?} overflows")))?;
            if b.as_slice().len() != expected {
                return Err(Fault::Invalid(format!(
                    "array of shape {shape:?} and dtype {} needs {expected} bytes, the pickle holds {}",
                    dtype.name(),
                    b.as_slice().len()
                )));
            }
        }
        ArrayData::Objects(items) => {
            if items.len() != count {
                return Err(Fault::Invalid(format!(
                    "object array of shape {shape:?} holds {} items",
                    items.len()
                )));
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
pub(super) fn build<'a>(target: &Value<'a>, state: Value<'a>) -> R<()> {
    match target {
        Value::Array(slot) => {
            let items = tuple_items(&state, "ndarray state")?;
            // (version, shape, dtype, is_fortran, raw) or, from old numpy, without the version
            let items = match items.len() {
                5 => &items[1..],
                4 => &items[..],
                n => {
                    return Err(Fault::Invalid(format!(
                        "ndarray state has {n} items, expected 4 or 5"
                    )))
                }
            };
            let shape = shape_of(&items[0])?;
            let dtype = dtype_of(&items[1]).ok_or_else(|| {
                Fault::Invalid(format!(
                    "ndarray dtype is a {}, expected a dtype",
                    items[1].type_name()
                ))
            })?;
            let fortran = matches!(items[2], Value::Bool(true) | Value::Int(1));
            let data = match &items[3] {
                Value::Bytes(b) => ArrayData::Raw(b.clone()),
                Value::Str(s) => {
                    // Python 2 str decoded as text by a Python 3 writer: latin-1 back to bytes
                    let bytes = latin1_bytes(s.utf8()).map_err(Fault::ArrayNotLatin1)?;
                    ArrayData::Raw(Bytes::Owned(bytes.into()))
                }
                Value::List(l) => ArrayData::Objects(l.borrow().clone()),
                other => {
                    return Err(Fault::Invalid(format!(
                        "ndarray data is a {}, expected bytes or a list",
                        other.type_name()
                    )))
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
        other => Err(Fault::Invalid(format!("BUILD on a {}", other.type_name()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_arrays_lose_their_nul_padding() {
        let array = |descr: &str, raw: &[u8], n: usize| NdArray {
            dtype: Dtype::parse(descr).unwrap(),
            shape: vec![n],
            fortran: false,
            data: ArrayData::Raw(Bytes::Owned(raw.into())),
        };
        let s = array("S3", b"ab\0xyz", 2);
        assert_eq!(s.to_texts().unwrap(), ["ab", "xyz"]);
        let mut u = Vec::new();
        for c in ['\u{e9}', 'z', '\0', '\u{2603}', '\0', '\0'] {
            u.extend((c as u32).to_le_bytes());
        }
        assert_eq!(
            array("<U3", &u, 2).to_texts().unwrap(),
            ["\u{e9}z", "\u{2603}"]
        );
        let e = array("<f4", &[0; 8], 2).to_texts().unwrap_err();
        assert_eq!(
            e.to_string(),
            "dtype float32, expected text (bytes, str or object)"
        );
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
