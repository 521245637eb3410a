//! A small mutator for the smoke runner (libFuzzer has its own): flips, overwrites, inserts,
//! deletions, duplications, dictionary words and splices of another seed.

use rand::rngs::StdRng;
use rand::Rng;

/// The largest input the smoke runner makes.
pub const MAX_LEN: usize = 16 * 1024;

/// A mutation of `input`, using `seeds` to splice from and `words` to insert.
pub fn mutate(rng: &mut StdRng, input: &[u8], seeds: &[Vec<u8>], words: &[&str]) -> Vec<u8> {
    let mut out = input.to_vec();
    let rounds = rng.gen_range(1..=4);
    for _ in 0..rounds {
        let at = if out.is_empty() {
            0
        } else {
            rng.gen_range(0..=out.len())
        };
        match rng.gen_range(0..8) {
            0 if !out.is_empty() => {
                let i = at.min(out.len() - 1);
                out[i] ^= 1 << rng.gen_range(0..8);
            }
            1 if !out.is_empty() => {
                let i = at.min(out.len() - 1);
                out[i] = interesting(rng);
            }
            2 => {
                let n = rng.gen_range(1..=8);
                let bytes: Vec<u8> = (0..n).map(|_| rng.gen()).collect();
                out.splice(at..at, bytes);
            }
            3 if !out.is_empty() => {
                let end = (at + rng.gen_range(1..=16)).min(out.len());
                out.drain(at.min(end)..end);
            }
            4 if !out.is_empty() => {
                let start = rng.gen_range(0..out.len());
                let end = (start + rng.gen_range(1..=32)).min(out.len());
                let copy = out[start..end].to_vec();
                out.splice(at..at, copy);
            }
            5 if !words.is_empty() => {
                let word = words[rng.gen_range(0..words.len())].as_bytes().to_vec();
                out.splice(at..at, word);
            }
            6 if !seeds.is_empty() => {
                let other = &seeds[rng.gen_range(0..seeds.len())];
                if !other.is_empty() {
                    let start = rng.gen_range(0..other.len());
                    let end = (start + rng.gen_range(1..=64)).min(other.len());
                    out.truncate(at);
                    out.extend_from_slice(&other[start..end]);
                }
            }
            _ => {
                // Repeat a byte: long runs find length and nesting limits.
                if let Some(&b) = out.get(at.saturating_sub(1)) {
                    let n = rng.gen_range(1..=256);
                    out.splice(at..at, std::iter::repeat_n(b, n));
                }
            }
        }
    }
    out.truncate(MAX_LEN);
    out
}

fn interesting(rng: &mut StdRng) -> u8 {
    const VALUES: &[u8] = &[
        0, 1, 0x7f, 0x80, 0xff, b'%', b'&', b'=', b'"', b'{', b'[', b'.', b'\n',
    ];
    VALUES[rng.gen_range(0..VALUES.len())]
}
