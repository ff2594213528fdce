//! Turning the bytes people upload into text: UTF-8 with or without a byte-order mark,
//! or Excel's Windows-1252 (detected, and said), and `,` or Excel's `;` as separator.

/// How a file was read, for the notices the page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    pub encoding: Encoding,
    pub delimiter: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf8WithBom,
    Windows1252,
}

/// The characters Windows-1252 puts at 0x80..=0x9F (where Latin-1 has control codes).
/// Undefined positions map to the replacement character.
const CP1252_HIGH: [char; 32] = [
    '€', '\u{FFFD}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{FFFD}', 'Ž',
    '\u{FFFD}', '\u{FFFD}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{FFFD}',
    'ž', 'Ÿ',
];

pub fn decode(bytes: &[u8]) -> Decoded {
    let (text, encoding) = if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        (
            String::from_utf8_lossy(rest).into_owned(),
            Encoding::Utf8WithBom,
        )
    } else {
        match std::str::from_utf8(bytes) {
            Ok(text) => (text.to_owned(), Encoding::Utf8),
            // Not UTF-8: spreadsheets on Windows save "CSV" in the ANSI code page.
            Err(_) => (
                bytes
                    .iter()
                    .map(|&b| match b {
                        0x80..=0x9F => CP1252_HIGH[usize::from(b - 0x80)],
                        _ => char::from(b),
                    })
                    .collect(),
                Encoding::Windows1252,
            ),
        }
    };
    let delimiter = detect_delimiter(&text);
    Decoded {
        text,
        encoding,
        delimiter,
    }
}

/// `;` when the header line has more semicolons than commas outside quotes (Excel in
/// locales that write decimals with a comma), `,` otherwise.
fn detect_delimiter(text: &str) -> u8 {
    let (mut commas, mut semicolons, mut quoted) = (0, 0, false);
    for b in text.bytes() {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => commas += 1,
            b';' if !quoted => semicolons += 1,
            b'\n' if !quoted => break,
            _ => {}
        }
    }
    if semicolons > commas {
        b';'
    } else {
        b','
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_and_without_bom() {
        let plain = decode("email\nzoë@example.com\n".as_bytes());
        assert_eq!(plain.encoding, Encoding::Utf8);
        let bom = decode(b"\xEF\xBB\xBFemail\r\n");
        assert_eq!(bom.encoding, Encoding::Utf8WithBom);
        assert_eq!(bom.text, "email\r\n");
    }

    #[test]
    fn windows_1252_is_detected_and_read_right() {
        // "Zoë Müller – €" as Excel on Windows writes it.
        let bytes = b"first_name\nZo\xEB M\xFCller \x96 \x80\n";
        let decoded = decode(bytes);
        assert_eq!(decoded.encoding, Encoding::Windows1252);
        assert_eq!(decoded.text, "first_name\nZoë Müller – €\n");
    }

    #[test]
    fn semicolons_are_detected_from_the_header() {
        assert_eq!(decode(b"user_id;first_name;email\n").delimiter, b';');
        assert_eq!(decode(b"user_id,first_name,email\n").delimiter, b',');
        assert_eq!(decode(b"\"a;b\",c\n").delimiter, b',');
    }
}
