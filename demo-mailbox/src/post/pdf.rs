//! Small, valid PDF 1.4 documents written by hand: one A4 page of Helvetica text. Enough for
//! the demo's attachments to download and open; no PDF library needed.

/// Page text: a heading, then lines of body text. Characters outside Latin-1 become `?`.
pub fn text_pdf(heading: &str, lines: &[&str]) -> Vec<u8> {
    let mut stream = b"BT\n/F1 16 Tf\n72 770 Td\n(".to_vec();
    stream.extend(pdf_string(heading));
    stream.extend_from_slice(b") Tj\n/F1 11 Tf\n");
    for line in lines {
        stream.extend_from_slice(b"0 -20 Td\n(");
        stream.extend(pdf_string(line));
        stream.extend_from_slice(b") Tj\n");
    }
    stream.extend_from_slice(b"ET\n");

    let objects: [Vec<u8>; 5] = [
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] \
/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>"
            .to_vec(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_vec(),
        [
            format!("<< /Length {} >>\nstream\n", stream.len()).into_bytes(),
            stream,
            b"\nendstream".to_vec(),
        ]
        .concat(),
    ];

    // The header's second line marks the file as binary (PDF 32000-1 §7.5.2).
    let mut pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (index, body) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend(format!("{} 0 obj\n", index + 1).into_bytes());
        pdf.extend_from_slice(body);
        pdf.extend_from_slice(b"\nendobj\n");
    }
    let xref_at = pdf.len();
    // Each cross-reference entry is exactly 20 bytes (§7.5.4).
    pdf.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).into_bytes());
    for offset in offsets {
        pdf.extend(format!("{offset:010} 00000 n \n").into_bytes());
    }
    pdf.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref_at}\n%%EOF\n",
            objects.len() + 1
        )
        .into_bytes(),
    );
    pdf
}

/// `text` as the bytes of a PDF literal string in WinAnsi encoding, with `(`, `)` and `\`
/// escaped and control characters dropped.
fn pdf_string(text: &str) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '(' | ')' | '\\' => {
                bytes.push(b'\\');
                bytes.push(c as u8);
            }
            c if c.is_control() => bytes.push(b' '),
            // WinAnsi agrees with Latin-1 from 0xA0 (æ, ø, å, é ...).
            c if (c as u32) < 0x80 || (0xA0..=0xFF).contains(&(c as u32)) => {
                bytes.push(u8::try_from(c as u32).unwrap_or(b'?'));
            }
            _ => bytes.push(b'?'),
        }
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_has_header_trailer_and_a_correct_xref_offset() {
        let pdf = text_pdf("Afgørelse (kopi)", &["Linje 1", "€ ukendt"]);
        assert!(pdf.starts_with(b"%PDF-1.4\n"));
        assert!(pdf.ends_with(b"%%EOF\n"));
        // Everything after the last stream is ASCII.
        let tail_at = pdf.len() - 200;
        let tail = std::str::from_utf8(&pdf[tail_at..]).unwrap();
        let start: usize = tail
            .rsplit("startxref\n")
            .next()
            .and_then(|rest| rest.lines().next())
            .unwrap()
            .parse()
            .unwrap();
        assert!(pdf[start..].starts_with(b"xref\n0 6\n"));
        // Object 5 (the page text) starts where the xref says.
        let xref = std::str::from_utf8(&pdf[start..]).unwrap();
        let entry = &xref.lines().nth(7).unwrap()[..10];
        let offset: usize = entry.parse().unwrap();
        assert!(pdf[offset..].starts_with(b"5 0 obj\n"));
        assert!(pdf.windows(7).any(|w| w == b"Afg\xf8rel"));
        assert!(pdf.windows(8).any(|w| w == b"\\(kopi\\)"));
    }
}
