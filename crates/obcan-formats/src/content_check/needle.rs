//! A fixed byte string found in a stream fed one byte at a time, across
//! chunk borders (Knuth–Morris–Pratt).

#[derive(Debug, Clone)]
pub(super) struct Needle<const N: usize> {
    pattern: &'static [u8; N],
    /// For each prefix, the length of its longest proper prefix that is
    /// also its suffix: where to resume after a mismatch.
    fallback: [usize; N],
    matched: usize,
}

impl<const N: usize> Needle<N> {
    pub(super) fn new(pattern: &'static [u8; N]) -> Self {
        let mut fallback = [0; N];
        let mut length = 0;
        for i in 1..N {
            while length > 0 && pattern[i] != pattern[length] {
                length = fallback[length - 1];
            }
            if pattern[i] == pattern[length] {
                length += 1;
            }
            fallback[i] = length;
        }
        Needle {
            pattern,
            fallback,
            matched: 0,
        }
    }

    /// Whether the pattern ends with this byte.
    pub(super) fn feed(&mut self, byte: u8) -> bool {
        if N == 0 {
            return false;
        }
        while self.matched > 0 && self.pattern[self.matched] != byte {
            self.matched = self.fallback[self.matched - 1];
        }
        if self.pattern[self.matched] == byte {
            self.matched += 1;
        }
        if self.matched == N {
            self.matched = self.fallback[N - 1];
            return true;
        }
        false
    }

    /// Whether the pattern ends within these bytes; between partial
    /// matches it jumps to the pattern's first byte.
    pub(super) fn find_in(&mut self, mut bytes: &[u8]) -> bool {
        while !bytes.is_empty() {
            if self.matched == 0 {
                let Some(start) = self.pattern.first() else {
                    return false;
                };
                let Some(at) = memchr::memchr(*start, bytes) else {
                    return false;
                };
                bytes = &bytes[at..];
            }
            let (&byte, rest) = bytes.split_first().unwrap_or((&0, &[]));
            bytes = rest;
            if self.feed(byte) {
                return true;
            }
        }
        false
    }

    /// Whether no partial match is pending.
    pub(super) fn is_idle(&self) -> bool {
        self.matched == 0
    }

    pub(super) fn reset(&mut self) {
        self.matched = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn positions<const N: usize>(pattern: &'static [u8; N], haystack: &[u8]) -> Vec<usize> {
        let mut needle = Needle::new(pattern);
        haystack
            .iter()
            .enumerate()
            .filter(|&(_, &b)| needle.feed(b))
            .map(|(i, _)| i + 1 - N)
            .collect()
    }

    #[test]
    fn find_in_agrees_with_feed_across_chunks() {
        let haystack = b"xxEncrEncryptedPackageEncrypted";
        for split in 0..haystack.len() {
            let mut needle = Needle::new(b"EncryptedPackage");
            let found = needle.find_in(&haystack[..split]) || needle.find_in(&haystack[split..]);
            assert!(found, "split at {split}");
        }
        assert!(!Needle::new(b"Package").find_in(b"Packag"));
    }

    #[test]
    fn finds_every_occurrence_even_overlapping() {
        assert_eq!(positions(b"aab", b"aaab aab"), [1, 5]);
        assert_eq!(positions(b"aa", b"aaaa"), [0, 1, 2]);
        assert_eq!(positions(b"endstream", b"xxendendstreamendstream"), [5, 14]);
        assert_eq!(positions(b"abab", b"abababxab"), [0, 2]);
    }
}
