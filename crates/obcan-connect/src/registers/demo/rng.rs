//! A small deterministic random source (SplitMix64): one independent stream
//! per person and section, so any section of any person is generated alone,
//! in microseconds, and always the same for the same seed.

/// Which part of a person a stream generates. Each has its own stream, so
/// adding a draw to one part leaves the others unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Stream {
    Identity = 1,
    Profile = 2,
    Personal = 3,
    Documents = 4,
    Driver = 5,
    Vehicles = 6,
    Trades = 7,
    DataUsage = 8,
}

#[derive(Debug, Clone)]
pub(super) struct Rng(u64);

impl Rng {
    pub(super) fn new(seed: u64, person: u32, stream: Stream) -> Self {
        let seeded = Self(seed).next();
        let person = Self(seeded ^ u64::from(person).wrapping_mul(0xD1B5_4A32_D192_ED03)).next();
        Self(person ^ (stream as u64).wrapping_mul(0x8CB9_2BA7_2F3D_8DD7))
    }

    pub(super) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub(super) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }

    /// A number in `low..=high` (`low` when the range is empty).
    pub(super) fn between(&mut self, low: i64, high: i64) -> i64 {
        if high <= low {
            return low;
        }
        let width = high.abs_diff(low).saturating_add(1);
        low.saturating_add_unsigned(self.below(width))
    }

    /// True `percent` times in a hundred.
    pub(super) fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// True `per_mille` times in a thousand.
    pub(super) fn rare(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }

    /// One of the items; the tables are never empty, which the compiler checks.
    pub(super) fn pick<'a, T, const N: usize>(&mut self, items: &'a [T; N]) -> &'a T {
        const { assert!(N > 0, "a table to pick from is never empty") };
        &items[self.below(N as u64) as usize]
    }

    /// One of the items, each as likely as its weight.
    pub(super) fn weighted<'a, T, const N: usize>(&mut self, items: &'a [(u32, T); N]) -> &'a T {
        const { assert!(N > 0, "a table to pick from is never empty") };
        let total: u64 = items.iter().map(|(weight, _)| u64::from(*weight)).sum();
        let mut ticket = self.below(total);
        for (weight, item) in items {
            if ticket < u64::from(*weight) {
                return item;
            }
            ticket -= u64::from(*weight);
        }
        &items[N - 1].1
    }

    /// `count` digits, as text.
    pub(super) fn digits(&mut self, count: usize) -> String {
        (0..count)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_independent() {
        let draw = |seed, person, stream| {
            let mut rng = Rng::new(seed, person, stream);
            (0..4).map(|_| rng.next()).collect::<Vec<_>>()
        };
        assert_eq!(draw(7, 1, Stream::Driver), draw(7, 1, Stream::Driver));
        assert_ne!(draw(7, 1, Stream::Driver), draw(8, 1, Stream::Driver));
        assert_ne!(draw(7, 1, Stream::Driver), draw(7, 2, Stream::Driver));
        assert_ne!(draw(7, 1, Stream::Driver), draw(7, 1, Stream::Vehicles));
    }

    #[test]
    fn draws_stay_in_their_ranges() {
        let mut rng = Rng::new(1, 1, Stream::Profile);
        let mut seen = [false; 7];
        for _ in 0..10_000 {
            let value = rng.between(-3, 3);
            assert!((-3..=3).contains(&value));
            seen[(value + 3) as usize] = true;
            assert!(rng.below(5) < 5);
        }
        assert!(
            seen.iter().all(|seen| *seen),
            "every value of the range occurs"
        );
        assert_eq!(rng.between(4, 4), 4);
        assert_eq!(rng.between(4, 2), 4);
        assert_eq!(rng.below(0), 0);
        assert_eq!(rng.digits(9).len(), 9);
    }

    #[test]
    fn weights_are_respected() {
        let mut rng = Rng::new(3, 9, Stream::Profile);
        let table = [(0, 'a'), (1, 'b'), (3, 'c')];
        let mut counts = [0u32; 3];
        for _ in 0..4_000 {
            match rng.weighted(&table) {
                'a' => counts[0] += 1,
                'b' => counts[1] += 1,
                _ => counts[2] += 1,
            }
        }
        assert_eq!(counts[0], 0);
        assert!((800..1200).contains(&counts[1]), "{counts:?}");
    }
}
