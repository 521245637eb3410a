//! A minimal BER-TLV/DER writer and reader for the LDS structures the simulation uses
//! (Doc 9303 Part 10, 4.4: data groups are BER-TLV; the security object is DER).

/// `tag || length || value`, the length in definite form (short below 128, long above).
pub(crate) fn tlv(tag: &[u8], value: &[u8]) -> Vec<u8> {
    let mut out = tag.to_vec();
    let len = value.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        let significant = &bytes[skip..];
        out.push(0x80 | significant.len() as u8);
        out.extend_from_slice(significant);
    }
    out.extend_from_slice(value);
    out
}

/// One element read from the front of `input`: its tag bytes, its value, and what follows.
pub(crate) struct Element<'a> {
    pub(crate) tag: &'a [u8],
    pub(crate) value: &'a [u8],
    pub(crate) rest: &'a [u8],
}

/// Reads one element; `None` when the bytes are not a well-formed TLV.
pub(crate) fn read(input: &[u8]) -> Option<Element<'_>> {
    let first = *input.first()?;
    let mut tag_len = 1;
    if first & 0x1F == 0x1F {
        // Multi-byte tag: continuation bytes have the high bit set.
        while input.get(tag_len)? & 0x80 != 0 {
            tag_len += 1;
        }
        tag_len += 1;
    }
    let length_byte = *input.get(tag_len)?;
    let (len, header) = if length_byte < 0x80 {
        (usize::from(length_byte), tag_len + 1)
    } else {
        let count = usize::from(length_byte & 0x7F);
        if count == 0 || count > 4 {
            return None;
        }
        let bytes = input.get(tag_len + 1..tag_len + 1 + count)?;
        let len = bytes
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        (len, tag_len + 1 + count)
    };
    let end = header.checked_add(len)?;
    Some(Element {
        tag: input.get(..tag_len)?,
        value: input.get(header..end)?,
        rest: input.get(end..)?,
    })
}

/// Reads one element that must have `tag`.
pub(crate) fn expect<'a>(input: &'a [u8], tag: &[u8]) -> Option<Element<'a>> {
    read(input).filter(|element| element.tag == tag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_lengths_round_trip() {
        for len in [0usize, 1, 127, 128, 255, 256, 70_000] {
            let value = vec![0xAB; len];
            let encoded = tlv(&[0x5F, 0x1F], &value);
            let element = read(&encoded).unwrap();
            assert_eq!(element.tag, &[0x5F, 0x1F]);
            assert_eq!(element.value.len(), len);
            assert!(element.rest.is_empty());
        }
        assert_eq!(tlv(&[0x04], &[1, 2]), vec![0x04, 0x02, 1, 2]);
        assert_eq!(tlv(&[0x04], &[0; 200])[..3], [0x04, 0x81, 200]);
    }

    #[test]
    fn truncated_input_is_refused() {
        assert!(read(&[0x30, 0x05, 1, 2]).is_none());
        assert!(read(&[0x5F]).is_none());
        assert!(read(&[]).is_none());
        assert!(expect(&[0x04, 0x00], &[0x30]).is_none());
    }
}
