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

mod error;
mod machine;
mod numpy;
mod opcode;
mod stack;
mod strings;
mod value;

pub use error::{ArrayError, Fault, Latin1Error, PickleError};
pub use machine::{load, MAX_DEPTH};
pub use numpy::{ArrayData, Dtype, NdArray};
pub use strings::latin1_bytes;
pub use value::{Bytes, Object, Text, Value};

/// What a step of the machine returns: its value, or the fault (the caller adds the offset
/// and the opcode).
type R<T> = Result<T, Fault>;
