//! Passwords are kept only as slow salted hashes (SPEC 3.2, 6): Argon2id, PHC strings.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{Output, ParamsString, PasswordHash, PasswordHasher, Salt, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use rand::distributions::{Alphanumeric, DistString};

/// Argon2id with 7 MiB and 5 passes: one of OWASP's configurations of equal strength (with
/// 19 MiB and 2 passes, the crate's default, and 46 MiB and 1 pass), the one that trades memory
/// for time. The whole server must stay under 64 MiB while it streams a partner's bulk upload
/// (issue 22), and a hash's memory stays with its hashing thread (`Memory`): 19 MiB of it was a
/// third of that. Hashes stored with other parameters still verify with their own.
fn params() -> Params {
    Params::new(7 * 1024, 5, 1, None).expect("OWASP's parameters are valid")
}

fn argon2() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params())
}

pub fn hash(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .expect("Argon2 with OWASP's parameters hashes any password")
        .to_string()
}

/// Argon2's working memory (7 MiB with our parameters), kept between verifications.
/// Freed after each one, it stays in the allocator's arenas anyway (glibc raises its mmap
/// threshold after the first free), a little more per thread that ever hashed, so that a flood
/// of wrong passwords grew the process by gigabytes. Reused, it is allocated once per slot.
#[derive(Default)]
pub struct Memory(Vec<Block>);

/// False for a wrong password and for a stored hash that cannot be read.
pub fn verify(password: &str, stored: &str) -> bool {
    verify_in(&mut Memory::default(), password, stored)
}

/// `verify` in the given memory, which grows to what the stored hash's parameters need. The
/// same computation as argon2's `PasswordVerifier`, and the same constant-time comparison.
pub fn verify_in(memory: &mut Memory, password: &str, stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let hasher = (|| -> Option<Argon2<'static>> {
        let algorithm = Algorithm::try_from(parsed.algorithm).ok()?;
        let version = parsed
            .version
            .map(Version::try_from)
            .transpose()
            .ok()?
            .unwrap_or_default();
        let params = Params::try_from(&parsed).ok()?;
        Some(Argon2::new(algorithm, version, params))
    })();
    let Some(hasher) = hasher else {
        return false;
    };
    let mut salt_bytes = [0u8; Salt::MAX_LENGTH];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let blocks = hasher.params().block_count();
    if memory.0.len() < blocks {
        memory.0.resize(blocks, Block::default());
    }
    let mut computed = vec![0u8; expected.len()];
    hasher
        .hash_password_into_with_memory(
            password.as_bytes(),
            salt,
            &mut computed,
            &mut memory.0[..blocks],
        )
        .is_ok()
        && Output::new(&computed).is_ok_and(|computed| computed == expected)
}

/// A hash that no password verifies (its output is random) and that costs what a stored hash
/// costs: unknown users are verified against it. Computing a real hash for it would take 7 MiB
/// at start-up for nothing.
pub fn decoy() -> String {
    let params = params();
    let mut output = [0u8; Params::DEFAULT_OUTPUT_LEN];
    OsRng.fill_bytes(&mut output);
    PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::default().into()),
        params: ParamsString::try_from(&params).expect("the default parameters are valid"),
        salt: Some(SaltString::generate(&mut OsRng).as_salt()),
        hash: Some(Output::new(&output).expect("the default output length is valid")),
    }
    .to_string()
}

/// The shortest password a person may choose (generated ones are longer).
pub const MIN_PASSWORD_CHARS: usize = 12;

/// A password for a new account: 20 letters and digits, about 119 bits.
pub fn generate() -> String {
    Alphanumeric.sample_string(&mut rand::thread_rng(), 20)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let stored = hash("correct horse");
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify("correct horse", &stored));
        assert!(!verify("correct hors", &stored));
        assert!(!verify("correct horse", "not a hash"));
    }

    #[test]
    fn one_memory_serves_many_verifications() {
        let (first, second) = (hash("first"), hash("second"));
        let mut memory = Memory::default();
        for _ in 0..2 {
            assert!(verify_in(&mut memory, "first", &first));
            assert!(!verify_in(&mut memory, "second", &first));
            assert!(verify_in(&mut memory, "second", &second));
        }
        assert_eq!(memory.0.len(), params().block_count());
    }

    #[test]
    fn it_agrees_with_argon2s_own_verifier() {
        use argon2::password_hash::PasswordVerifier;
        let stored = hash("hunter2hunter2");
        let parsed = PasswordHash::new(&stored).unwrap();
        for password in ["hunter2hunter2", "hunter2hunter3", ""] {
            let theirs = argon2()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok();
            assert_eq!(verify(password, &stored), theirs, "{password}");
        }
    }

    #[test]
    fn a_hash_stored_with_the_crates_default_parameters_still_verifies() {
        let salt = SaltString::generate(&mut OsRng);
        let older = Argon2::default()
            .hash_password(b"stored before", &salt)
            .unwrap()
            .to_string();
        assert!(older.contains("m=19456,t=2,p=1"), "{older}");
        assert!(hash("x").contains("m=7168,t=5,p=1"));
        let mut memory = Memory::default();
        assert!(verify_in(&mut memory, "stored before", &older));
        assert!(!verify_in(&mut memory, "stored after", &older));
    }

    #[test]
    fn the_decoy_has_the_parameters_of_a_stored_hash_and_verifies_nothing() {
        let (decoy, stored) = (decoy(), hash("x"));
        let parameters = |h: &str| h.split('$').take(4).collect::<Vec<_>>().join("$");
        assert_eq!(parameters(&decoy), parameters(&stored));
        assert_eq!(decoy.len(), stored.len());
        assert_ne!(decoy, super::decoy());
        assert!(!verify("x", &decoy) && !verify("", &decoy));
    }

    #[test]
    fn two_hashes_of_one_password_differ_by_their_salt() {
        assert_ne!(hash("x"), hash("x"));
    }

    #[test]
    fn generated_passwords_are_long_and_distinct() {
        let (a, b) = (generate(), generate());
        assert_eq!(a.len(), 20);
        assert_ne!(a, b);
    }
}
