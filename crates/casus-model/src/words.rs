//! How numbers and lists read in the words casus writes for people: digits
//! grouped by thousands ("2,030"), a count with its noun in the right
//! number ("1 duty", "2 duties"), and lists joined as prose ("A, B and
//! C"). One home, for the language's diagnostics, the explanations, the
//! analyses and the pages alike.

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

/// A list as prose: "A", "A and B", "A, B and C".
pub fn and_list(items: &[String]) -> String {
    join_list(items, "and")
}

/// Alternatives as prose: "A", "A or B", "A, B or C".
pub fn or_list(items: &[String]) -> String {
    join_list(items, "or")
}

fn join_list(items: &[String], word: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} {word} {last}", rest.join(", ")),
    }
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

    #[test]
    fn lists_read_as_prose() {
        let l = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(and_list(&l(&[])), "");
        assert_eq!(and_list(&l(&["A"])), "A");
        assert_eq!(and_list(&l(&["A", "B"])), "A and B");
        assert_eq!(or_list(&l(&["A", "B", "C"])), "A, B or C");
    }
}
