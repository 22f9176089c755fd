//! The pickle reader's errors: [`PickleError`] (where, which opcode, what) and the faults a
//! step can hit ([`Fault`]), a numpy array's conversions ([`ArrayError`]) and the latin-1 codec
//! ([`Latin1Error`]).

use super::machine::MAX_DEPTH;
use super::opcode::Opcode;

/// A pickle that could not be read: where, in which opcode, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("at byte {offset}: {}{fault}", opcode_prefix(*.opcode))]
pub struct PickleError {
    /// Byte offset of the opcode that failed.
    pub offset: usize,
    /// The byte of the opcode that failed (`None` when the failure is not inside an opcode:
    /// empty input, a missing `STOP`, an unknown opcode byte, an empty stack at `STOP`).
    pub opcode: Option<u8>,
    /// What was expected and what was found.
    pub fault: Fault,
}

/// `NAME (0xNN): ` for a known opcode byte, nothing otherwise.
fn opcode_prefix(opcode: Option<u8>) -> String {
    opcode
        .and_then(|byte| Opcode::try_from(byte).ok())
        .map(|op| format!("{} (0x{:02x}): ", op.name(), op as u8))
        .unwrap_or_default()
}

impl PickleError {
    /// True when the input ends early: cut short inside an opcode, a line without its end, or no
    /// `STOP` at all (an interrupted download, most likely).
    pub fn is_truncated(&self) -> bool {
        matches!(
            self.fault,
            Fault::Truncated { .. } | Fault::NoEndOfLine { .. } | Fault::NoStop
        )
    }
}

/// What went wrong in the pickle machine.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Fault {
    /// The input has no bytes.
    #[error("empty input (0 bytes), expected a pickle")]
    Empty,
    /// The input ends before a `STOP` opcode.
    #[error("truncated input: the pickle ends without a STOP opcode")]
    NoStop,
    /// An opcode's argument runs past the end of the input.
    #[error("truncated input: {what} needs {needs} bytes, only {remaining} remain")]
    Truncated {
        /// What was being read.
        what: &'static str,
        /// Bytes it needs.
        needs: usize,
        /// Bytes left in the input.
        remaining: usize,
    },
    /// A protocol-0 line argument has no newline before the end of the input.
    #[error("truncated input: {what} has no end of line")]
    NoEndOfLine {
        /// What was being read.
        what: &'static str,
    },
    /// A byte that is no opcode of protocols 0–5.
    #[error("unknown opcode (0x{0:02x}): not a pickle opcode")]
    UnknownOpcode(u8),
    /// Containers nested past [`MAX_DEPTH`].
    #[error("containers nested deeper than {MAX_DEPTH} levels (a hostile or corrupt pickle?)")]
    TooDeep,
    /// An opcode needs a value and the stack (above the innermost mark) has none.
    #[error("{what}: the stack is empty")]
    EmptyStack {
        /// The opcode (or step) that needed the value.
        what: &'static str,
    },
    /// An opcode needs a `MARK` and none is open.
    #[error("{what}: no MARK on the stack")]
    NoMark {
        /// The opcode that needed the mark.
        what: &'static str,
    },
    /// `GET` of a memo key that no `PUT` stored.
    #[error("memo key {0} was never stored")]
    MemoMissing(u64),
    /// A pickle feature this reader refuses (persistent ids, extensions, out-of-band buffers).
    #[error("{0}")]
    Unsupported(&'static str),
    /// Text whose pickled bytes are not UTF-8.
    #[error("text is not UTF-8: {0}")]
    NotUtf8(#[from] std::str::Utf8Error),
    /// Text that should hold latin-1 bytes and does not.
    #[error(transparent)]
    NotLatin1(#[from] Latin1Error),
    /// Array data (a Python 2 `str` read as text) that does not decode to latin-1 bytes.
    #[error("array data is not latin-1: {0}")]
    ArrayNotLatin1(Latin1Error),
    /// Malformed data: a bad literal, a value of the wrong type, an array that does not fit its
    /// shape and dtype; the text says what was expected and what was found.
    #[error("{0}")]
    Invalid(String),
}

/// A fixed description of malformed data (`.ok_or("numpy scalar dtype")?`).
impl From<&str> for Fault {
    fn from(message: &str) -> Fault {
        Fault::Invalid(message.to_string())
    }
}

/// Text that is not latin-1: a character at or above U+0100, or bytes that are not UTF-8.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("byte {at} of the text (character U+{:04X}) is not latin-1", *.character as u32)]
pub struct Latin1Error {
    /// Byte offset in the UTF-8 text.
    pub at: usize,
    /// The character found there (`?` for bytes that are not UTF-8).
    pub character: char,
}

/// A numpy array that cannot be converted to numbers as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArrayError {
    /// Fortran order with more than one non-trivial dimension.
    #[error("a Fortran-ordered array of shape {0:?} (only C order is supported)")]
    FortranOrder(Vec<usize>),
    /// An object array where numbers were expected.
    #[error("an object array where numbers were expected")]
    Objects,
    /// An item of an object array that is not text.
    #[error("item {index} is a {found}, expected text (str or bytes)")]
    NotText {
        /// Position of the item (C order).
        index: usize,
        /// Its type.
        found: String,
    },
    /// A `U` array element holding a value that is no Unicode code point.
    #[error("{0:#x} is not a Unicode code point")]
    BadCodePoint(u32),
    /// A dtype that does not convert.
    #[error("dtype {found}, expected {expected}")]
    Dtype {
        /// The array's dtype name.
        found: String,
        /// What the conversion accepts.
        expected: &'static str,
    },
}
