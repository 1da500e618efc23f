//! Identifying numbers people type into forms, each with its check: the
//! birth number (rodné číslo) and the IBAN. The IČO, which the registers
//! also give, is [`crate::registers::Ico`].

use std::fmt;

use jiff::civil::Date;

/// A birth number (rodné číslo, zákon č. 133/2000 Sb., § 13): `YYMMDD/XXXX`,
/// or `YYMMDD/XXX` for people born before 1954.
///
/// The month has 50 added for women, and from 2004 another 20 when a day's
/// numbers run out. A ten-digit number is divisible by 11; numbers issued
/// until 1985 whose first nine digits leave 10 end in 0 instead.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BirthNumber {
    /// `YYMMDD/XXXX` or `YYMMDD/XXX`.
    text: String,
    born_on: Date,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "not a birth number: six digits of the date, a slash and three or four more, with a valid check"
)]
pub struct InvalidBirthNumber;

impl BirthNumber {
    /// Takes the number with or without its slash, spaces around it ignored.
    pub fn parse(raw: &str) -> Result<Self, InvalidBirthNumber> {
        let raw = raw.trim();
        let compact: String = match raw.split_once('/') {
            Some((date, serial)) if date.len() == 6 => format!("{date}{serial}"),
            Some(_) => return Err(InvalidBirthNumber),
            None => raw.to_owned(),
        };
        if !(9..=10).contains(&compact.len()) || !compact.bytes().all(|b| b.is_ascii_digit()) {
            return Err(InvalidBirthNumber);
        }
        let two = |at: usize| -> i16 { compact[at..at + 2].parse().unwrap_or(-1) };
        let (yy, mm, dd) = (two(0), two(2), two(4));
        let year = match (compact.len(), yy) {
            (9, yy) if yy < 54 => 1900 + yy,
            (9, _) => return Err(InvalidBirthNumber),
            (_, yy) if yy < 54 => 2000 + yy,
            (_, yy) => 1900 + yy,
        };
        let month = match mm {
            1..=12 => mm,
            51..=62 => mm - 50,
            21..=32 if year >= 2004 => mm - 20,
            71..=82 if year >= 2004 => mm - 70,
            _ => return Err(InvalidBirthNumber),
        };
        let born_on = Date::new(
            year,
            i8::try_from(month).map_err(|_| InvalidBirthNumber)?,
            i8::try_from(dd).map_err(|_| InvalidBirthNumber)?,
        )
        .map_err(|_| InvalidBirthNumber)?;
        if compact.len() == 10 {
            let whole: u64 = compact.parse().map_err(|_| InvalidBirthNumber)?;
            let first_nine = whole / 10;
            let check = whole % 10;
            let divisible = whole.is_multiple_of(11);
            let old_exception = first_nine % 11 == 10 && check == 0 && year < 1986;
            if !divisible && !old_exception {
                return Err(InvalidBirthNumber);
            }
        }
        Ok(Self {
            text: format!("{}/{}", &compact[..6], &compact[6..]),
            born_on,
        })
    }

    /// `YYMMDD/XXXX`, as the registers write it.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn born_on(&self) -> Date {
        self.born_on
    }
}

impl fmt::Display for BirthNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// An international bank account number (ISO 13616), checked by its
/// mod-97 digits; a Czech one (`CZ`) has 24 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Iban(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "not an IBAN: two letters of the country, two check digits and the account, which must check"
)]
pub struct InvalidIban;

impl Iban {
    /// Takes the number as people write it, in groups of four or not, in
    /// either case.
    pub fn parse(raw: &str) -> Result<Self, InvalidIban> {
        let compact: String = raw
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let bytes = compact.as_bytes();
        let shaped = (15..=34).contains(&bytes.len())
            && bytes[..2].iter().all(u8::is_ascii_uppercase)
            && bytes[2..4].iter().all(u8::is_ascii_digit)
            && bytes.iter().all(u8::is_ascii_alphanumeric);
        if !shaped || (compact.starts_with("CZ") && bytes.len() != 24) {
            return Err(InvalidIban);
        }
        // The country and check digits go to the end; letters count as
        // 10–35; the remainder of the whole by 97 must be 1.
        let remainder = bytes[4..]
            .iter()
            .chain(&bytes[..4])
            .fold(0u32, |remainder, &b| {
                let value = if b.is_ascii_digit() {
                    u32::from(b - b'0')
                } else {
                    u32::from(b - b'A') + 10
                };
                let shift = if value < 10 { 10 } else { 100 };
                (remainder * shift + value) % 97
            });
        if remainder == 1 {
            Ok(Self(compact))
        } else {
            Err(InvalidIban)
        }
    }

    /// Without spaces, upper case.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// In groups of four, as printed.
    pub fn grouped(&self) -> String {
        self.0
            .as_bytes()
            .chunks(4)
            .map(|group| String::from_utf8_lossy(group).into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl fmt::Display for Iban {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    #[test]
    fn birth_numbers_check_their_date_and_digits() {
        let man = BirthNumber::parse("7801010008").unwrap();
        assert_eq!(man.as_str(), "780101/0008");
        assert_eq!(man.born_on(), date(1978, 1, 1));
        let woman = BirthNumber::parse(" 785101/0002 ").unwrap();
        assert_eq!(woman.born_on(), date(1978, 1, 1));
        // Born before 1954: nine digits, no check.
        assert_eq!(
            BirthNumber::parse("450101/123").unwrap().born_on(),
            date(1945, 1, 1)
        );
        // From 2004, +20 on the month when a day's numbers run out.
        assert_eq!(
            BirthNumber::parse("0521010006").unwrap().born_on(),
            date(2005, 1, 1)
        );
        // Until 1985, a remainder of 10 ends in 0.
        assert_eq!(
            BirthNumber::parse("8001010040").unwrap().born_on(),
            date(1980, 1, 1)
        );
    }

    #[test]
    fn wrong_birth_numbers_are_refused() {
        for raw in [
            "",
            "780101/0009",  // the check
            "781301/1234",  // month 13
            "780230/1230",  // 30 February
            "780101/123",   // nine digits after 1953
            "0321010008",   // +20 before 2004
            "78010/10008",  // the slash misplaced
            "78010a/0008",  // a letter
            "7801010008 1", // too long
        ] {
            assert_eq!(BirthNumber::parse(raw), Err(InvalidBirthNumber), "{raw}");
        }
    }

    #[test]
    fn ibans_check_their_digits() {
        let czech = Iban::parse("cz65 0800 0000 1920 0014 5399").unwrap();
        assert_eq!(czech.as_str(), "CZ6508000000192000145399");
        assert_eq!(czech.grouped(), "CZ65 0800 0000 1920 0014 5399");
        assert!(Iban::parse("DE89370400440532013000").is_ok());
        for raw in [
            "CZ6508000000192000145398", // the check
            "CZ650800000019200014539",  // short for CZ
            "CZ65-0800-0000-1920-0014-5399",
            "6508000000192000145399CZ",
            "",
        ] {
            assert_eq!(Iban::parse(raw), Err(InvalidIban), "{raw}");
        }
    }
}
