//! How numbers read in the words casus writes for people: digits grouped by
//! thousands ("2,030"), and a count with its noun in the right number ("1
//! duty", "2 duties"). One home, for the language's diagnostics and the
//! explanations alike.

/// A whole number with its digits grouped by thousands: 2030 → "2,030".
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A count and its noun: "1 duty", "2 duties", "1,200 errors".
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{} {}", grouped(n as u64), if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_numbers() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(2030), "2,030");
        assert_eq!(grouped(1_234_567), "1,234,567");
        assert_eq!(count(1, "duty", "duties"), "1 duty");
        assert_eq!(count(0, "duty", "duties"), "0 duties");
        assert_eq!(count(1200, "error", "errors"), "1,200 errors");
    }
}
