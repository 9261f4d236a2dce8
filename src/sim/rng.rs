//! The simulator's seeded randomness: a portable ChaCha8 generator per
//! entity (user, bot day, incident, live stream), so the same seed gives the
//! same rows on every platform and whatever order chunks are generated in,
//! plus the few distributions the workload needs (log-normal latencies,
//! Poisson counts, weighted picks) and id formats (UUIDs, hex, base62).

use chrono::{DateTime, Utc};
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Independent random streams; one per kind of entity.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Stream {
    UserProfile = 1,
    UserActivity = 2,
    Bots = 3,
    Incidents = 4,
    Live = 5,
    /// What a gateway records beside a request (actor, cache tokens,
    /// routing, streaming) and sub-agent delegation: keyed by the trace or
    /// request id, so these draws never shift the streams above.
    Gateway = 6,
}

/// A seeded generator with workload helpers.
pub(crate) struct SimRng(ChaCha8Rng);

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

impl SimRng {
    /// The generator for entity `index` of `stream` under `seed`.
    pub fn new(seed: u64, stream: Stream, index: u64) -> Self {
        let mixed = seed ^ (stream as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let mut rng = ChaCha8Rng::seed_from_u64(mixed);
        rng.set_stream(index);
        SimRng(rng)
    }

    /// The generator for the entity named `key` (an id drawn earlier) of
    /// `stream`: FNV-1a of the key picks the ChaCha stream.
    pub fn keyed(stream: Stream, key: &str) -> Self {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in key.bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
        Self::new(hash, stream, hash.rotate_left(17))
    }

    /// A UUID (version 4 layout) made from this generator's bytes.
    pub fn uuid(&mut self) -> String {
        let mut bytes = [0u8; 16];
        self.0.fill_bytes(&mut bytes);
        uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .hyphenated()
            .to_string()
    }

    /// `n` lowercase hex digits.
    pub fn hex(&mut self, n: usize) -> String {
        const HEX: &[u8] = b"0123456789abcdef";
        (0..n)
            .map(|_| HEX[(self.0.next_u32() & 15) as usize] as char)
            .collect()
    }

    /// `n` base62 characters (provider-style ids).
    pub fn base62(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| BASE62[(self.0.next_u32() % 62) as usize] as char)
            .collect()
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        self.0.random::<f64>()
    }

    /// Uniform integer in `[lo, hi)`; `lo` when the range is empty.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            lo
        } else {
            self.0.random_range(lo..hi)
        }
    }

    /// One item, uniformly.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.range(0, items.len() as i64) as usize]
    }

    /// One item, by integer weight.
    pub fn weighted<'a, T>(&mut self, items: &'a [(T, u32)]) -> &'a T {
        let total: u32 = items.iter().map(|(_, w)| *w).sum();
        let mut ticket = self.range(0, i64::from(total.max(1))) as u32;
        for (item, w) in items {
            if ticket < *w {
                return item;
            }
            ticket -= w;
        }
        &items[items.len() - 1].0
    }

    /// Standard normal (Box-Muller).
    pub fn normal(&mut self) -> f64 {
        let u1 = (1.0 - self.unit()).max(f64::MIN_POSITIVE);
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// Log-normal with the given median and shape.
    pub fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
        median * (sigma * self.normal()).exp()
    }

    /// Poisson count (Knuth; the workload only uses small means).
    pub fn poisson(&mut self, lambda: f64) -> u32 {
        if lambda <= 0.0 {
            return 0;
        }
        let limit = (-lambda.min(60.0)).exp();
        let mut k = 0u32;
        let mut p = 1.0;
        loop {
            p *= self.unit();
            if p <= limit {
                return k;
            }
            k += 1;
        }
    }

    /// A uniformly random instant in `[start, end)` at millisecond precision.
    pub fn instant(&mut self, start: DateTime<Utc>, end: DateTime<Utc>) -> DateTime<Utc> {
        let span = (end - start).num_milliseconds();
        start + chrono::Duration::milliseconds(self.range(0, span.max(1)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_independent() {
        let a: Vec<String> = (0..3)
            .map(|_| SimRng::new(7, Stream::Bots, 1).uuid())
            .collect();
        assert_eq!(a[0], a[1]);
        assert_ne!(
            SimRng::new(7, Stream::Bots, 1).uuid(),
            SimRng::new(7, Stream::Bots, 2).uuid()
        );
        assert_ne!(
            SimRng::new(7, Stream::Bots, 1).uuid(),
            SimRng::new(8, Stream::Bots, 1).uuid()
        );
        let id = SimRng::new(1, Stream::Live, 0).uuid();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4", "version nibble: {id}");
    }

    #[test]
    fn poisson_mean_is_close() {
        let mut rng = SimRng::new(3, Stream::Live, 9);
        let n = 20_000;
        let total: u32 = (0..n).map(|_| rng.poisson(2.5)).sum();
        let mean = f64::from(total) / f64::from(n);
        assert!((mean - 2.5).abs() < 0.1, "{mean}");
    }
}
