//! The pickle virtual machine: [`load`] runs the opcodes of one pickle and returns the value
//! `STOP` finds on the stack. Each opcode family has its own helper; nothing is ever executed.

use super::numpy::{build, reduce};
use super::opcode::{Opcode, UnknownOpcode};
use super::strings::{raw_unicode_escape, unquote_py2_string};
use super::value::{Bytes, Text, Value};
use super::{Fault, PickleError, R};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// Reads one pickle from `data` and returns the value `STOP` found on the stack.
pub fn load(data: &[u8]) -> Result<Value<'_>, PickleError> {
    if data.is_empty() {
        return Err(PickleError {
            offset: 0,
            opcode: None,
            fault: Fault::Empty,
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

/// The machine's state: the input and read position, the stack with its marks, the memo.
pub(super) struct Machine<'a> {
    /// The whole pickle.
    pub(super) data: &'a [u8],
    /// Offset of the next byte to read.
    pub(super) pos: usize,
    /// The value stack.
    pub(super) stack: Vec<Value<'a>>,
    /// Stack lengths at each open `MARK`.
    pub(super) marks: Vec<usize>,
    /// Values stored by `PUT` / `BINPUT` / `LONG_BINPUT` / `MEMOIZE`.
    pub(super) memo: HashMap<u64, Value<'a>>,
    /// Nesting depth of each container built so far, by address (absent = 1, i.e. empty).
    pub(super) depths: HashMap<*const (), u32>,
}

impl<'a> Machine<'a> {
    /// Decodes and executes opcodes until `STOP`; errors carry the failing opcode's offset.
    fn run(&mut self) -> Result<Value<'a>, PickleError> {
        loop {
            let offset = self.pos;
            let byte = match self.data.get(self.pos) {
                Some(&byte) => byte,
                None => {
                    return Err(PickleError {
                        offset,
                        opcode: None,
                        fault: Fault::NoStop,
                    })
                }
            };
            self.pos += 1;
            let op = Opcode::try_from(byte).map_err(|UnknownOpcode(byte)| PickleError {
                offset,
                opcode: None,
                fault: Fault::UnknownOpcode(byte),
            })?;
            match self.step(op) {
                Ok(true) => {
                    return self.pop("STOP").map_err(|fault| PickleError {
                        offset,
                        opcode: None,
                        fault,
                    })
                }
                Ok(false) => {}
                Err(fault) => {
                    return Err(PickleError {
                        offset,
                        opcode: Some(byte),
                        fault,
                    })
                }
            }
        }
    }

    /// Executes one opcode; `Ok(true)` at `STOP`.
    fn step(&mut self, op: Opcode) -> R<bool> {
        use Opcode as O;
        match op {
            O::Stop => return Ok(true),
            O::Proto | O::Frame | O::Mark | O::Pop | O::PopMark | O::Dup => self.control(op)?,
            O::None
            | O::NewTrue
            | O::NewFalse
            | O::BinInt
            | O::BinInt1
            | O::BinInt2
            | O::Int
            | O::Long
            | O::Long1
            | O::Long4
            | O::Float
            | O::BinFloat => self.number(op)?,
            O::String
            | O::BinString
            | O::ShortBinString
            | O::BinBytes
            | O::ShortBinBytes
            | O::BinBytes8
            | O::ByteArray8
            | O::Unicode
            | O::BinUnicode
            | O::ShortBinUnicode
            | O::BinUnicode8 => self.string(op)?,
            O::EmptyList
            | O::EmptyTuple
            | O::EmptyDict
            | O::EmptySet
            | O::List
            | O::Tuple
            | O::Tuple1
            | O::Tuple2
            | O::Tuple3
            | O::Dict
            | O::FrozenSet
            | O::Append
            | O::Appends
            | O::AddItems
            | O::SetItem
            | O::SetItems => self.container(op)?,
            O::Get
            | O::BinGet
            | O::LongBinGet
            | O::Put
            | O::BinPut
            | O::LongBinPut
            | O::Memoize => self.memo_op(op)?,
            O::Global
            | O::StackGlobal
            | O::Reduce
            | O::NewObj
            | O::NewObjEx
            | O::Obj
            | O::Inst
            | O::Build => self.object(op)?,
            O::PersId | O::BinPersId => {
                return Err(Fault::Unsupported(
                    "persistent ids are not supported (a torch.save file, not a plain pickle?)",
                ))
            }
            O::Ext1 | O::Ext2 | O::Ext4 => {
                return Err(Fault::Unsupported(
                    "the copyreg extension registry is not supported",
                ))
            }
            O::NextBuffer | O::ReadonlyBuffer => {
                return Err(Fault::Unsupported(
                    "out-of-band buffers (protocol 5 buffer_callback) are not supported; \
                     re-save the pickle without buffer_callback",
                ))
            }
        }
        Ok(false)
    }

    /// `PROTO`, `FRAME`, `MARK`, `POP`, `POP_MARK`, `DUP`.
    fn control(&mut self, op: Opcode) -> R<()> {
        match op {
            Opcode::Proto => {
                let proto = self.u8("protocol number")?;
                if proto > 5 {
                    return Err(Fault::Invalid(format!("protocol {proto} is newer than 5")));
                }
            }
            Opcode::Frame => {
                self.u64("frame length")?;
            }
            Opcode::Mark => self.marks.push(self.stack.len()),
            Opcode::Pop => {
                self.pop("POP")?;
            }
            Opcode::PopMark => {
                self.pop_mark("POP_MARK")?;
            }
            Opcode::Dup => {
                let v = self.top("DUP")?.clone();
                self.stack.push(v);
            }
            other => unreachable!("{} is not a control opcode", other.name()),
        }
        Ok(())
    }

    /// `None`, booleans, ints and floats.
    fn number(&mut self, op: Opcode) -> R<()> {
        let v = match op {
            Opcode::None => Value::None,
            Opcode::NewTrue => Value::Bool(true),
            Opcode::NewFalse => Value::Bool(false),
            Opcode::BinInt => {
                let b = self.take(4, "BININT")?;
                Value::Int(i32::from_le_bytes([b[0], b[1], b[2], b[3]]) as i64)
            }
            Opcode::BinInt1 => Value::Int(self.u8("BININT1")? as i64),
            Opcode::BinInt2 => Value::Int(self.u16("BININT2")? as i64),
            Opcode::Int => {
                let l = self.line_text("INT")?;
                match l.as_str() {
                    "00" => Value::Bool(false),
                    "01" => Value::Bool(true),
                    s => Value::Int(
                        s.parse()
                            .map_err(|_| Fault::Invalid(format!("bad INT literal {s:?}")))?,
                    ),
                }
            }
            Opcode::Long => {
                let l = self.line_text("LONG")?;
                let s = l.trim_end_matches('L');
                Value::Int(s.parse().map_err(|_| {
                    Fault::Invalid(format!("LONG literal {s:?} does not fit in 64 bits"))
                })?)
            }
            Opcode::Long1 | Opcode::Long4 => {
                let n = if op == Opcode::Long1 {
                    self.u8("LONG1 length")? as usize
                } else {
                    self.u32("LONG4 length")? as usize
                };
                let b = self.take(n, "long integer bytes")?;
                if n > 8 {
                    return Err(Fault::Invalid(format!(
                        "a {n}-byte integer does not fit in 64 bits"
                    )));
                }
                Value::Int(if n == 0 {
                    0
                } else {
                    let mut buf = if b[n - 1] & 0x80 != 0 {
                        [0xffu8; 8]
                    } else {
                        [0u8; 8]
                    };
                    buf[..n].copy_from_slice(b);
                    i64::from_le_bytes(buf)
                })
            }
            Opcode::Float => {
                let l = self.line_text("FLOAT")?;
                Value::Float(
                    l.trim()
                        .parse()
                        .map_err(|_| Fault::Invalid(format!("bad FLOAT literal {l:?}")))?,
                )
            }
            Opcode::BinFloat => {
                let b = self.take(8, "BINFLOAT")?;
                Value::Float(f64::from_be_bytes(b.try_into().expect("8")))
            }
            other => unreachable!("{} is not a number opcode", other.name()),
        };
        self.stack.push(v);
        Ok(())
    }

    /// Byte strings (Python 2 `str`, `bytes`, `bytearray`) and text.
    fn string(&mut self, op: Opcode) -> R<()> {
        let v = match op {
            Opcode::String => {
                let l = self.line("STRING")?;
                Value::Bytes(Bytes::Owned(unquote_py2_string(l)?.into()))
            }
            Opcode::BinString => {
                let n = self.u32("BINSTRING length")?;
                Value::Bytes(Bytes::Borrowed(self.take(n as usize, "BINSTRING data")?))
            }
            Opcode::ShortBinString => {
                let n = self.u8("SHORT_BINSTRING length")?;
                Value::Bytes(Bytes::Borrowed(
                    self.take(n as usize, "SHORT_BINSTRING data")?,
                ))
            }
            Opcode::BinBytes | Opcode::ShortBinBytes | Opcode::BinBytes8 | Opcode::ByteArray8 => {
                let n = match op {
                    Opcode::BinBytes => self.u32("BINBYTES length")? as usize,
                    Opcode::ShortBinBytes => self.u8("SHORT_BINBYTES length")? as usize,
                    _ => self.len64("BINBYTES8 length")?,
                };
                Value::Bytes(Bytes::Borrowed(self.take(n, "bytes data")?))
            }
            Opcode::Unicode => {
                let l = self.line("UNICODE")?;
                Value::Str(Text::Owned(raw_unicode_escape(l)?.into()))
            }
            Opcode::BinUnicode | Opcode::ShortBinUnicode | Opcode::BinUnicode8 => {
                let n = match op {
                    Opcode::BinUnicode => self.u32("BINUNICODE length")? as usize,
                    Opcode::ShortBinUnicode => self.u8("SHORT_BINUNICODE length")? as usize,
                    _ => self.len64("BINUNICODE8 length")?,
                };
                Value::Str(Text::Borrowed(self.take(n, "unicode data")?))
            }
            other => unreachable!("{} is not a string opcode", other.name()),
        };
        self.stack.push(v);
        Ok(())
    }

    /// Lists, tuples, dicts and sets: building them and filling them.
    fn container(&mut self, op: Opcode) -> R<()> {
        match op {
            Opcode::EmptyList => self.stack.push(Value::List(Rc::default())),
            Opcode::EmptyTuple => self.stack.push(Value::Tuple(Rc::new(Vec::new()))),
            Opcode::EmptyDict => self.stack.push(Value::Dict(Rc::default())),
            Opcode::EmptySet => self.stack.push(Value::Set(Rc::default())),
            Opcode::List => {
                let items = self.pop_mark("LIST")?;
                let d = self.depth_over(&items);
                self.push_container(Value::List(Rc::new(RefCell::new(items))), d)?;
            }
            Opcode::Tuple => {
                let items = self.pop_mark("TUPLE")?;
                let d = self.depth_over(&items);
                self.push_container(Value::Tuple(Rc::new(items)), d)?;
            }
            Opcode::Tuple1 | Opcode::Tuple2 | Opcode::Tuple3 => {
                let n = (op as u8 - Opcode::Tuple1 as u8 + 1) as usize;
                let mut items = Vec::with_capacity(n);
                for _ in 0..n {
                    items.push(self.pop("TUPLEn")?);
                }
                items.reverse();
                let d = self.depth_over(&items);
                self.push_container(Value::Tuple(Rc::new(items)), d)?;
            }
            Opcode::Dict => {
                let items = self.pop_mark("DICT")?;
                let d = self.depth_over(&items);
                let pairs = pairs(items)?;
                self.push_container(Value::Dict(Rc::new(RefCell::new(pairs))), d)?;
            }
            Opcode::FrozenSet => {
                let items = self.pop_mark("FROZENSET")?;
                let d = self.depth_over(&items);
                self.push_container(Value::Set(Rc::new(RefCell::new(items))), d)?;
            }
            Opcode::Append => {
                let v = self.pop("APPEND")?;
                let d = self.depth_over([&v]);
                self.deepen_top(d, "APPEND")?;
                extend(self.top("APPEND")?, vec![v])?;
            }
            Opcode::Appends => {
                let items = self.pop_mark("APPENDS")?;
                let d = self.depth_over(&items);
                self.deepen_top(d, "APPENDS")?;
                extend(self.top("APPENDS")?, items)?;
            }
            Opcode::AddItems => {
                let items = self.pop_mark("ADDITEMS")?;
                let d = self.depth_over(&items);
                self.deepen_top(d, "ADDITEMS")?;
                match self.top("ADDITEMS")? {
                    Value::Set(s) => s.borrow_mut().extend(items),
                    other => {
                        return Err(Fault::Invalid(format!(
                            "ADDITEMS on a {}",
                            other.type_name()
                        )))
                    }
                }
            }
            Opcode::SetItem => {
                let v = self.pop("SETITEM")?;
                let k = self.pop("SETITEM")?;
                let d = self.depth_over([&k, &v]);
                self.deepen_top(d, "SETITEM")?;
                set_items(self.top("SETITEM")?, vec![(k, v)])?;
            }
            Opcode::SetItems => {
                let items = self.pop_mark("SETITEMS")?;
                let d = self.depth_over(&items);
                self.deepen_top(d, "SETITEMS")?;
                let pairs = pairs(items)?;
                set_items(self.top("SETITEMS")?, pairs)?;
            }
            other => unreachable!("{} is not a container opcode", other.name()),
        }
        Ok(())
    }

    /// The memo: `GET` / `PUT` and their binary forms, `MEMOIZE`.
    fn memo_op(&mut self, op: Opcode) -> R<()> {
        match op {
            Opcode::Get | Opcode::BinGet | Opcode::LongBinGet => {
                let k = match op {
                    Opcode::Get => {
                        let k = self.line_text("GET")?;
                        k.parse()
                            .map_err(|_| Fault::Invalid(format!("bad memo key {k:?}")))?
                    }
                    Opcode::BinGet => self.u8("BINGET")? as u64,
                    _ => self.u32("LONG_BINGET")? as u64,
                };
                let v = self.memo_get(k)?;
                self.stack.push(v);
            }
            Opcode::Put | Opcode::BinPut | Opcode::LongBinPut | Opcode::Memoize => {
                let k = match op {
                    Opcode::Put => {
                        let k = self.line_text("PUT")?;
                        k.parse()
                            .map_err(|_| Fault::Invalid(format!("bad memo key {k:?}")))?
                    }
                    Opcode::BinPut => self.u8("BINPUT")? as u64,
                    Opcode::LongBinPut => self.u32("LONG_BINPUT")? as u64,
                    _ => self.memo.len() as u64,
                };
                self.memo_put(k)?;
            }
            other => unreachable!("{} is not a memo opcode", other.name()),
        }
        Ok(())
    }

    /// Globals, the callables applied to them (never executed: see [`reduce`]) and `BUILD`.
    fn object(&mut self, op: Opcode) -> R<()> {
        match op {
            Opcode::Global => {
                let module = self.line_text("GLOBAL module")?;
                let name = self.line_text("GLOBAL name")?;
                self.stack.push(Value::Global(Rc::new((module, name))));
            }
            Opcode::StackGlobal => {
                let name = self.pop("STACK_GLOBAL")?;
                let module = self.pop("STACK_GLOBAL")?;
                match (module.as_text(), name.as_text()) {
                    (Some(m), Some(n)) => self.stack.push(Value::Global(Rc::new((m, n)))),
                    _ => return Err("STACK_GLOBAL needs two strings".into()),
                }
            }
            Opcode::Reduce | Opcode::NewObj | Opcode::NewObjEx => {
                let what = op.name();
                if op == Opcode::NewObjEx {
                    let _kwargs = self.pop(what)?;
                }
                let args = self.pop(what)?;
                let callable = self.pop(what)?;
                let d = self.depth_over([&args]);
                let v = reduce(callable, args)?;
                self.push_container(v, d)?;
            }
            Opcode::Obj => {
                let mut items = self.pop_mark("OBJ")?;
                if items.is_empty() {
                    return Err("OBJ without a class".into());
                }
                let cls = items.remove(0);
                let d = 1 + self.depth_over(&items);
                let v = reduce(cls, Value::Tuple(Rc::new(items)))?;
                self.push_container(v, d)?;
            }
            Opcode::Inst => {
                let module = self.line_text("INST module")?;
                let name = self.line_text("INST name")?;
                let items = self.pop_mark("INST")?;
                let cls = Value::Global(Rc::new((module, name)));
                let d = 1 + self.depth_over(&items);
                let v = reduce(cls, Value::Tuple(Rc::new(items)))?;
                self.push_container(v, d)?;
            }
            Opcode::Build => {
                let state = self.pop("BUILD")?;
                let target = self.top("BUILD")?.clone();
                let d = self.depth_over([&state]);
                self.note_depth(&target, d)?;
                build(&target, state)?;
            }
            other => unreachable!("{} is not an object opcode", other.name()),
        }
        Ok(())
    }
}

/// Pairs up `[k1, v1, k2, v2, …]` (the items of `DICT` / `SETITEMS`).
fn pairs<'a>(items: Vec<Value<'a>>) -> R<Vec<(Value<'a>, Value<'a>)>> {
    if !items.len().is_multiple_of(2) {
        return Err(Fault::Invalid(format!(
            "{} items do not form key/value pairs",
            items.len()
        )));
    }
    let mut out = Vec::with_capacity(items.len() / 2);
    let mut it = items.into_iter();
    while let (Some(k), Some(v)) = (it.next(), it.next()) {
        out.push((k, v));
    }
    Ok(out)
}

/// Appends `items` to a list (`APPEND`, `APPENDS`).
fn extend<'a>(target: &mut Value<'a>, items: Vec<Value<'a>>) -> R<()> {
    match target {
        Value::List(l) => {
            l.borrow_mut().extend(items);
            Ok(())
        }
        other => Err(Fault::Invalid(format!("append to a {}", other.type_name()))),
    }
}

/// Sets dict entries (`SETITEM`, `SETITEMS`); a repeated key replaces the earlier value.
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
        other => Err(Fault::Invalid(format!(
            "set item on a {}",
            other.type_name()
        ))),
    }
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
        assert!(e.is_truncated(), "{e}");
        assert!(e.to_string().contains("truncated"), "{e}");
        let e = load(b"\x80\x04K\x01").unwrap_err();
        assert_eq!(e.fault, Fault::NoStop);
        assert!(e.to_string().contains("without a STOP"), "{e}");
        assert!(load(b"").unwrap_err().to_string().contains("empty"));
    }

    #[test]
    fn unknown_and_unsupported_opcodes_are_named() {
        let e = load(b"\x80\x04\xff.").unwrap_err();
        assert_eq!(e.offset, 2);
        assert_eq!(e.fault, Fault::UnknownOpcode(0xff));
        assert_eq!(
            e.to_string(),
            "at byte 2: unknown opcode (0xff): not a pickle opcode"
        );
        let e = load(b"\x80\x04K\x01Q.").unwrap_err();
        assert_eq!(e.offset, 4);
        assert!(
            e.to_string()
                .starts_with("at byte 4: BINPERSID (0x51): persistent ids"),
            "{e}"
        );
        // TUPLE2 pops two values; one is on the stack
        let e = load(b"\x80\x04K\x01\x86.").unwrap_err();
        assert_eq!(
            e.to_string(),
            "at byte 4: TUPLE2 (0x86): TUPLEn: the stack is empty"
        );
    }

    #[test]
    fn deep_nesting_is_refused_not_a_stack_overflow() {
        // EMPTY_TUPLE, then a million TUPLE1: a million nested one-tuples in 1 MB
        let mut p = vec![0x80, 4, b')'];
        p.extend(std::iter::repeat_n(0x85u8, 1_000_000));
        p.push(b'.');
        let e = load(&p).unwrap_err();
        assert_eq!(e.fault, Fault::TooDeep);
        assert!(e.to_string().contains("nested deeper than 1000"), "{e}");
        // the same with lists built by APPEND
        let mut p = vec![0x80, 4];
        p.extend(std::iter::repeat_n(b']', 5000));
        p.extend(std::iter::repeat_n(b'a', 4999));
        p.push(b'.');
        assert_eq!(load(&p).unwrap_err().fault, Fault::TooDeep);
        // 1000 levels are fine
        let mut p = vec![0x80, 4, b')'];
        p.extend(std::iter::repeat_n(0x85u8, 999));
        p.push(b'.');
        assert!(load(&p).is_ok());
    }
}
