//! Just enough DER for RFC 3161: reading the items of a time-stamp answer, a
//! token's TSTInfo and a certificate's extensions, and writing a request.
//! Single-byte tags and definite lengths only, as DER has them; anything
//! else is refused rather than guessed at.

use std::fmt;

pub(super) const BOOLEAN: u8 = 0x01;
pub(super) const INTEGER: u8 = 0x02;
pub(super) const BIT_STRING: u8 = 0x03;
pub(super) const OCTET_STRING: u8 = 0x04;
pub(super) const NULL: u8 = 0x05;
pub(super) const OBJECT_IDENTIFIER: u8 = 0x06;
pub(super) const UTF8_STRING: u8 = 0x0c;
pub(super) const GENERALIZED_TIME: u8 = 0x18;
pub(super) const SEQUENCE: u8 = 0x30;
pub(super) const SET: u8 = 0x31;

/// The tag of a constructed, context-specific `[n]` (n < 31).
pub(super) const fn context(n: u8) -> u8 {
    0xa0 | n
}

/// What is wrong with a DER encoding, in words for the error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct DerError(String);

impl DerError {
    pub(super) fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

impl fmt::Display for DerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One tag-length-value item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Item<'a> {
    pub tag: u8,
    /// The contents, without tag and length.
    pub value: &'a [u8],
    /// The whole encoding, tag and length included.
    pub whole: &'a [u8],
}

impl<'a> Item<'a> {
    /// A reader over the items inside a constructed item.
    pub(super) fn inner(&self) -> Reader<'a> {
        Reader::new(self.value)
    }
}

/// Reads items one after another from a buffer.
#[derive(Debug, Clone)]
pub(super) struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(super) fn new(bytes: &'a [u8]) -> Self {
        Self { rest: bytes }
    }

    pub(super) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// The next item, whatever its tag.
    pub(super) fn any(&mut self, what: &str) -> Result<Item<'a>, DerError> {
        let bytes = self.rest;
        let truncated = || DerError::new(format!("{what}: truncated"));
        let (&tag, after_tag) = bytes.split_first().ok_or_else(truncated)?;
        if tag & 0x1f == 0x1f {
            return Err(DerError::new(format!("{what}: multi-byte tag")));
        }
        let (&first, mut after_length) = after_tag.split_first().ok_or_else(truncated)?;
        let length = if first < 0x80 {
            usize::from(first)
        } else {
            let count = usize::from(first & 0x7f);
            if count == 0 {
                return Err(DerError::new(format!("{what}: indefinite length")));
            }
            if count > 4 {
                return Err(DerError::new(format!("{what}: length too large")));
            }
            let digits = after_length.get(..count).ok_or_else(truncated)?;
            after_length = &after_length[count..];
            let length = digits
                .iter()
                .fold(0usize, |length, &digit| (length << 8) | usize::from(digit));
            if digits[0] == 0 || length < 0x80 {
                return Err(DerError::new(format!("{what}: length not minimal")));
            }
            length
        };
        let value = after_length.get(..length).ok_or_else(truncated)?;
        let header = bytes.len() - after_length.len();
        let (whole, rest) = bytes.split_at(header + length);
        self.rest = rest;
        Ok(Item { tag, value, whole })
    }

    /// The next item, which must have `tag`.
    pub(super) fn take(&mut self, tag: u8, what: &str) -> Result<Item<'a>, DerError> {
        match self.peek_tag() {
            Some(found) if found != tag => Err(DerError::new(format!(
                "{what}: expected tag {tag:#04x}, found {found:#04x}"
            ))),
            _ => self.any(what),
        }
    }

    /// The next item if it has `tag`; none (and nothing read) otherwise.
    pub(super) fn optional(&mut self, tag: u8, what: &str) -> Result<Option<Item<'a>>, DerError> {
        if self.peek_tag() == Some(tag) {
            self.any(what).map(Some)
        } else {
            Ok(None)
        }
    }

    /// Fails if anything is left: DER has no room for trailing bytes.
    pub(super) fn finish(&self, what: &str) -> Result<(), DerError> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(DerError::new(format!("{what}: unexpected trailing data")))
        }
    }

    fn peek_tag(&self) -> Option<u8> {
        self.rest.first().copied()
    }
}

/// `bytes` as exactly one item with `tag`.
pub(super) fn single<'a>(bytes: &'a [u8], tag: u8, what: &str) -> Result<Item<'a>, DerError> {
    let mut reader = Reader::new(bytes);
    let item = reader.take(tag, what)?;
    reader.finish(what)?;
    Ok(item)
}

/// A non-negative INTEGER's magnitude, big-endian without leading zeros
/// (empty for zero).
pub(super) fn unsigned<'a>(item: &Item<'a>, what: &str) -> Result<&'a [u8], DerError> {
    let value = item.value;
    match value {
        [] => Err(DerError::new(format!("{what}: empty integer"))),
        [first, ..] if first & 0x80 != 0 => Err(DerError::new(format!("{what}: negative"))),
        [0, second, ..] if second & 0x80 == 0 => {
            Err(DerError::new(format!("{what}: integer not minimal")))
        }
        _ => Ok(strip_zeros(value)),
    }
}

/// A small non-negative INTEGER, such as a version or a status.
pub(super) fn small_unsigned(item: &Item<'_>, what: &str) -> Result<u64, DerError> {
    let magnitude = unsigned(item, what)?;
    if magnitude.len() > 8 {
        return Err(DerError::new(format!("{what}: too large")));
    }
    Ok(magnitude
        .iter()
        .fold(0u64, |value, &digit| (value << 8) | u64::from(digit)))
}

pub(super) fn boolean(item: &Item<'_>, what: &str) -> Result<bool, DerError> {
    match item.value {
        [0x00] => Ok(false),
        [0xff] => Ok(true),
        _ => Err(DerError::new(format!("{what}: not a DER boolean"))),
    }
}

/// A big-endian number without its leading zero bytes.
pub(super) fn strip_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[start..]
}

/// One item with `tag` around the concatenated `parts`.
pub(super) fn encode(tag: u8, parts: &[&[u8]]) -> Vec<u8> {
    let length: usize = parts.iter().map(|part| part.len()).sum();
    let mut out = vec![tag];
    if length < 0x80 {
        // Fits in the short form: checked just above.
        out.push(length as u8);
    } else {
        let digits = length.to_be_bytes();
        let digits = strip_zeros(&digits);
        out.push(0x80 | digits.len() as u8);
        out.extend_from_slice(digits);
    }
    for part in parts {
        out.extend_from_slice(part);
    }
    out
}

/// A non-negative INTEGER from its big-endian magnitude.
pub(super) fn encode_unsigned(magnitude: &[u8]) -> Vec<u8> {
    let magnitude = strip_zeros(magnitude);
    match magnitude.first() {
        None => encode(INTEGER, &[&[0]]),
        Some(first) if first & 0x80 != 0 => encode(INTEGER, &[&[0], magnitude]),
        Some(_) => encode(INTEGER, &[magnitude]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_nested_items_and_their_whole_encoding() {
        let bytes = [0x30, 0x06, 0x02, 0x01, 0x05, 0x01, 0x01, 0xff, 0x05, 0x00];
        let mut reader = Reader::new(&bytes);
        let sequence = reader.take(SEQUENCE, "outer").unwrap();
        assert_eq!(sequence.whole, &bytes[..8]);
        let mut inner = sequence.inner();
        let number = inner.take(INTEGER, "number").unwrap();
        assert_eq!(small_unsigned(&number, "number").unwrap(), 5);
        assert!(inner.optional(OCTET_STRING, "absent").unwrap().is_none());
        let flag = inner.optional(BOOLEAN, "flag").unwrap().unwrap();
        assert!(boolean(&flag, "flag").unwrap());
        inner.finish("outer").unwrap();
        assert!(reader.finish("all").is_err());
        reader.take(NULL, "null").unwrap();
        assert!(reader.is_empty());
    }

    #[test]
    fn long_lengths_round_trip() {
        for length in [0, 1, 0x7f, 0x80, 0xff, 0x100, 0x1_0000] {
            let contents = vec![7u8; length];
            let encoded = encode(OCTET_STRING, &[&contents]);
            let item = single(&encoded, OCTET_STRING, "octets").unwrap();
            assert_eq!(item.value.len(), length);
            assert_eq!(item.whole, &encoded[..]);
        }
        assert_eq!(encode(OCTET_STRING, &[&[0; 0x80]])[..3], [0x04, 0x81, 0x80]);
        assert_eq!(
            encode(OCTET_STRING, &[&[0; 0x100]])[..4],
            [0x04, 0x82, 0x01, 0x00]
        );
    }

    #[test]
    fn refuses_what_der_does_not_allow() {
        let refused: [&[u8]; 9] = [
            &[],                                // nothing
            &[0x04],                            // no length
            &[0x04, 0x02, 0x00],                // shorter than its length
            &[0x30, 0x80, 0x00, 0x00],          // indefinite length
            &[0x04, 0x81, 0x05, 0, 0, 0, 0, 0], // long form for a short length
            &[0x04, 0x82, 0x00, 0x80],          // leading zero in the length
            &[0x04, 0x85, 1, 0, 0, 0, 0],       // five length bytes
            &[0x1f, 0x22, 0x00],                // multi-byte tag
            &[0x04, 0x00, 0x00],                // trailing data
        ];
        for bytes in refused {
            assert!(
                single(bytes, bytes.first().copied().unwrap_or(0), "x").is_err(),
                "{bytes:02x?}"
            );
        }
        assert!(single(&[0x02, 0x01, 0x00], OCTET_STRING, "x").is_err());
    }

    #[test]
    fn integers() {
        let read = |bytes: &[u8]| {
            let item = single(bytes, INTEGER, "n")?;
            unsigned(&item, "n").map(<[u8]>::to_vec)
        };
        assert_eq!(read(&[0x02, 0x01, 0x00]).unwrap(), Vec::<u8>::new());
        assert_eq!(read(&[0x02, 0x01, 0x7f]).unwrap(), [0x7f]);
        assert_eq!(read(&[0x02, 0x02, 0x00, 0x80]).unwrap(), [0x80]);
        assert!(read(&[0x02, 0x00]).is_err());
        assert!(read(&[0x02, 0x01, 0x80]).is_err(), "negative");
        assert!(read(&[0x02, 0x02, 0x00, 0x7f]).is_err(), "not minimal");

        assert_eq!(encode_unsigned(&[]), [0x02, 0x01, 0x00]);
        assert_eq!(encode_unsigned(&[0, 0, 0x7f]), [0x02, 0x01, 0x7f]);
        assert_eq!(
            encode_unsigned(&[0xbc, 0x01]),
            [0x02, 0x03, 0x00, 0xbc, 0x01]
        );
        for magnitude in [&[][..], &[1], &[0x80, 0], &[0xff; 8]] {
            let encoded = encode_unsigned(magnitude);
            assert_eq!(read(&encoded).unwrap(), magnitude);
        }

        let big = single(&[0x02, 0x09, 0x00, 0x81, 2, 3, 4, 5, 6, 7, 8], INTEGER, "n").unwrap();
        assert_eq!(small_unsigned(&big, "n").unwrap(), 0x8102_0304_0506_0708);
        let huge = single(&[0x02, 0x09, 1, 2, 3, 4, 5, 6, 7, 8, 9], INTEGER, "n").unwrap();
        assert!(small_unsigned(&huge, "n").is_err());
    }

    #[test]
    fn booleans_are_strict() {
        let read = |bytes: &[u8]| boolean(&single(bytes, BOOLEAN, "b").unwrap(), "b");
        assert!(!read(&[0x01, 0x01, 0x00]).unwrap());
        assert!(read(&[0x01, 0x01, 0xff]).unwrap());
        assert!(read(&[0x01, 0x01, 0x01]).is_err());
        assert!(read(&[0x01, 0x02, 0xff, 0xff]).is_err());
    }
}
