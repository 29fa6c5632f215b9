//! Bounded output: a list that could run to thousands of lines (dropped
//! inputs, reading problems from one bad file, candidate leaves) shows its
//! first few items, then one line with how many more there are and how to
//! see them all.

/// Items shown before the rest is summarised.
pub const SHOWN: usize = 5;

/// `n` with thousands separators: 99990 → "99,990".
pub fn count(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The lines to print for `items`: all of them when `all` or when there are
/// few, else the first [`SHOWN`] and "… and N more {what(rest)}; --verbose
/// lists them", where `what` names the items not shown (e.g. "unrelated
/// certificates").
pub fn lines<T>(
    items: &[T],
    all: bool,
    line: impl Fn(&T) -> String,
    what: impl Fn(&[T]) -> String,
) -> Vec<String> {
    // Summarising one line would save nothing.
    if all || items.len() <= SHOWN + 1 {
        return items.iter().map(line).collect();
    }
    let (shown, rest) = items.split_at(SHOWN);
    let mut out: Vec<String> = shown.iter().map(line).collect();
    out.push(more_line(rest.len(), &what(rest)));
    out
}

/// "… and N more WHAT; --verbose lists them".
pub fn more_line(n: usize, what: &str) -> String {
    format!("… and {} more {what}; --verbose lists them", count(n))
}

/// `items` joined with `sep`, the first [`SHOWN`] only, then "and N more".
pub fn join(items: &[String], sep: &str) -> String {
    if items.len() <= SHOWN + 1 {
        return items.join(sep);
    }
    format!(
        "{}{sep}and {} more",
        items[..SHOWN].join(sep),
        count(items.len() - SHOWN)
    )
}

/// The first [`SHOWN`] items of each kind (all of them when `all`), and
/// for each kind with more, how many were left out, in order of first
/// appearance: 20,000 copies of one finding become five and a count.
pub fn per_kind<T, K: PartialEq>(
    items: &[T],
    all: bool,
    kind: impl Fn(&T) -> K,
) -> (Vec<&T>, Vec<(K, usize)>) {
    let mut seen: Vec<(K, usize)> = Vec::new();
    let mut kept = Vec::new();
    for it in items {
        let k = kind(it);
        let n = match seen.iter_mut().find(|(s, _)| *s == k) {
            Some((_, n)) => {
                *n += 1;
                *n
            }
            None => {
                seen.push((k, 1));
                1
            }
        };
        if all || n <= SHOWN {
            kept.push(it);
        }
    }
    let left_out = seen
        .into_iter()
        .filter(|(_, n)| *n > SHOWN && !all)
        .map(|(k, n)| (k, n - SHOWN))
        .collect();
    (kept, left_out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_kind_keeps_a_few_of_each_and_counts_the_rest() {
        let items: Vec<u8> = [vec![1; 20_000], vec![2; 3], vec![1; 2]].concat();
        let (kept, out) = per_kind(&items, false, |i| *i);
        assert_eq!(kept.len(), SHOWN + 3);
        assert_eq!(out, vec![(1, 20_002 - SHOWN)]);
        let (kept, out) = per_kind(&items, true, |i| *i);
        assert_eq!((kept.len(), out.len()), (items.len(), 0));
    }

    #[test]
    fn long_lists_end_with_a_count_and_short_ones_are_whole() {
        assert_eq!(count(99_990), "99,990");
        assert_eq!(count(999), "999");
        assert_eq!(count(1_000_000), "1,000,000");
        let items: Vec<usize> = (0..100_000).collect();
        let out = lines(&items, false, |i| i.to_string(), |_| "things".into());
        assert_eq!(out.len(), SHOWN + 1);
        assert_eq!(out[SHOWN], "… and 99,995 more things; --verbose lists them");
        assert_eq!(
            lines(&items, true, |i| i.to_string(), |_| String::new()).len(),
            100_000
        );
        assert_eq!(
            lines(&items[..6], false, |i| i.to_string(), |_| String::new()).len(),
            6
        );
        let names: Vec<String> = (0..5000).map(|i| format!("CN=leaf {i}")).collect();
        let j = join(&names, "; ");
        assert!(j.ends_with("; and 4,995 more") && j.len() < 100, "{j}");
    }
}
