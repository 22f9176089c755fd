//! The opcodes of pickle protocols 0–5, decoded from their byte in one place
//! ([`Opcode::try_from`]).

/// Defines [`Opcode`] with its byte and pickle name from one table.
macro_rules! opcodes {
    ($($variant:ident = $byte:literal, $name:literal;)*) => {
        /// One opcode of the pickle virtual machine; the discriminant is its byte.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[repr(u8)]
        pub(super) enum Opcode {
            $(
                #[doc = $name]
                $variant = $byte,
            )*
        }

        impl Opcode {
            /// The opcode's name in Python's `pickletools` (`MARK`, `BININT1`, …).
            pub(super) fn name(self) -> &'static str {
                match self {
                    $(Opcode::$variant => $name,)*
                }
            }
        }

        impl TryFrom<u8> for Opcode {
            type Error = UnknownOpcode;

            /// The opcode whose byte is `byte`; any other byte is an [`UnknownOpcode`].
            fn try_from(byte: u8) -> Result<Opcode, UnknownOpcode> {
                match byte {
                    $($byte => Ok(Opcode::$variant),)*
                    _ => Err(UnknownOpcode(byte)),
                }
            }
        }
    };
}

/// A byte that is no opcode of protocols 0–5.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct UnknownOpcode(pub u8);

opcodes! {
    Mark = b'(', "MARK";
    Stop = b'.', "STOP";
    Pop = b'0', "POP";
    PopMark = b'1', "POP_MARK";
    Dup = b'2', "DUP";
    Float = b'F', "FLOAT";
    Int = b'I', "INT";
    BinInt = b'J', "BININT";
    BinInt1 = b'K', "BININT1";
    BinInt2 = b'M', "BININT2";
    Long = b'L', "LONG";
    Long1 = 0x8a, "LONG1";
    Long4 = 0x8b, "LONG4";
    String = b'S', "STRING";
    BinString = b'T', "BINSTRING";
    ShortBinString = b'U', "SHORT_BINSTRING";
    Unicode = b'V', "UNICODE";
    BinUnicode = b'X', "BINUNICODE";
    ShortBinUnicode = 0x8c, "SHORT_BINUNICODE";
    BinUnicode8 = 0x8d, "BINUNICODE8";
    BinBytes = b'B', "BINBYTES";
    ShortBinBytes = b'C', "SHORT_BINBYTES";
    BinBytes8 = 0x8e, "BINBYTES8";
    ByteArray8 = 0x96, "BYTEARRAY8";
    None = b'N', "NONE";
    NewTrue = 0x88, "NEWTRUE";
    NewFalse = 0x89, "NEWFALSE";
    BinFloat = b'G', "BINFLOAT";
    EmptyList = b']', "EMPTY_LIST";
    Append = b'a', "APPEND";
    Appends = b'e', "APPENDS";
    List = b'l', "LIST";
    EmptyTuple = b')', "EMPTY_TUPLE";
    Tuple = b't', "TUPLE";
    Tuple1 = 0x85, "TUPLE1";
    Tuple2 = 0x86, "TUPLE2";
    Tuple3 = 0x87, "TUPLE3";
    EmptyDict = b'}', "EMPTY_DICT";
    Dict = b'd', "DICT";
    SetItem = b's', "SETITEM";
    SetItems = b'u', "SETITEMS";
    EmptySet = 0x8f, "EMPTY_SET";
    AddItems = 0x90, "ADDITEMS";
    FrozenSet = 0x91, "FROZENSET";
    Get = b'g', "GET";
    BinGet = b'h', "BINGET";
    LongBinGet = b'j', "LONG_BINGET";
    Put = b'p', "PUT";
    BinPut = b'q', "BINPUT";
    LongBinPut = b'r', "LONG_BINPUT";
    Memoize = 0x94, "MEMOIZE";
    Global = b'c', "GLOBAL";
    StackGlobal = 0x93, "STACK_GLOBAL";
    Reduce = b'R', "REDUCE";
    Build = b'b', "BUILD";
    Inst = b'i', "INST";
    Obj = b'o', "OBJ";
    NewObj = 0x81, "NEWOBJ";
    NewObjEx = 0x92, "NEWOBJ_EX";
    Proto = 0x80, "PROTO";
    Frame = 0x95, "FRAME";
    PersId = b'P', "PERSID";
    BinPersId = b'Q', "BINPERSID";
    Ext1 = 0x82, "EXT1";
    Ext2 = 0x83, "EXT2";
    Ext4 = 0x84, "EXT4";
    NextBuffer = 0x97, "NEXT_BUFFER";
    ReadonlyBuffer = 0x98, "READONLY_BUFFER";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_byte_decodes_to_its_own_opcode_or_is_unknown() {
        let mut known = 0;
        for byte in 0..=u8::MAX {
            match Opcode::try_from(byte) {
                Ok(op) => {
                    assert_eq!(op as u8, byte, "{}", op.name());
                    known += 1;
                }
                Err(e) => assert_eq!(e, UnknownOpcode(byte)),
            }
        }
        // protocols 0–5 define 68 opcodes
        assert_eq!(known, 68);
        assert_eq!(Opcode::try_from(0x85).map(Opcode::name), Ok("TUPLE1"));
        assert!(Opcode::try_from(0xff).is_err());
    }
}
