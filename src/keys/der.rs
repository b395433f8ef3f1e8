//! Just enough DER to read an RSA modulus's size: aws-lc-rs refuses keys under 2048 bits as
//! `TooSmall` without saying how small, and the error should name the size.

const SEQUENCE: u8 = 0x30;
const INTEGER: u8 = 0x02;
const OCTET_STRING: u8 = 0x04;

/// One tag-length-value: the tag, the contents, and what follows.
fn tlv(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
        (len, &rest[n..])
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

fn expect(tag: u8, input: &[u8]) -> Option<(&[u8], &[u8])> {
    let (found, contents, rest) = tlv(input)?;
    (found == tag).then_some((contents, rest))
}

/// The bit length of a DER INTEGER's (positive) value.
fn integer_bits(contents: &[u8]) -> usize {
    let start = contents
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(contents.len());
    match contents[start..].first() {
        Some(&top) => (contents.len() - start) * 8 - top.leading_zeros() as usize,
        None => 0,
    }
}

/// The modulus size of a PKCS#1 `RSAPrivateKey`: SEQUENCE { version, modulus, ... }.
pub(super) fn pkcs1_modulus_bits(der: &[u8]) -> Option<usize> {
    let (key, _) = expect(SEQUENCE, der)?;
    let (_version, rest) = expect(INTEGER, key)?;
    let (modulus, _) = expect(INTEGER, rest)?;
    Some(integer_bits(modulus))
}

/// The modulus size of a PKCS#8 `PrivateKeyInfo`: SEQUENCE { version, algorithm, OCTET STRING
/// holding the PKCS#1 key, ... }.
pub(super) fn pkcs8_modulus_bits(der: &[u8]) -> Option<usize> {
    let (info, _) = expect(SEQUENCE, der)?;
    let (_version, rest) = expect(INTEGER, info)?;
    let (_algorithm, rest) = expect(SEQUENCE, rest)?;
    let (pkcs1, _) = expect(OCTET_STRING, rest)?;
    pkcs1_modulus_bits(pkcs1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_bits_ignore_the_sign_byte() {
        assert_eq!(integer_bits(&[0x00, 0x80, 0x00]), 16);
        assert_eq!(integer_bits(&[0x01]), 1);
        assert_eq!(integer_bits(&[0x00]), 0);
    }

    #[test]
    fn short_or_lying_lengths_are_refused() {
        assert_eq!(tlv(&[0x30, 0x05, 0x01]), None);
        assert_eq!(tlv(&[0x30, 0x82, 0x01]), None);
        assert_eq!(tlv(&[0x30, 0x80]), None);
        assert_eq!(pkcs8_modulus_bits(&[]), None);
    }
}
