//! Reply trees: thread roots and nearest customer messages, found by
//! following parent links.
//!
//! Both run in time linear in the number of messages, even for a reply
//! chain thousands of messages long, because each walk stops at the first
//! message whose result is already known.

/// Walk state of one message.
#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Unvisited,
    /// On the path of the walk in progress; meeting it again means a cycle.
    OnPath,
    Done,
}

/// Returns, for each message, the index of its thread root: the first
/// message up the parent links that has no parent. In a reference cycle,
/// the message where the walk met the cycle is the root.
pub fn roots(parents: &[Option<usize>]) -> Vec<usize> {
    let mut state = vec![State::Unvisited; parents.len()];
    let mut root: Vec<usize> = (0..parents.len()).collect();
    for start in 0..parents.len() {
        if state[start] == State::Done {
            continue;
        }
        let mut path = Vec::new();
        let mut current = start;
        let found = loop {
            state[current] = State::OnPath;
            path.push(current);
            match parents[current] {
                None => break current,
                Some(parent) => match state[parent] {
                    State::Done => break root[parent],
                    State::OnPath => break parent,
                    State::Unvisited => current = parent,
                },
            }
        };
        for node in path {
            state[node] = State::Done;
            root[node] = found;
        }
    }
    root
}

/// Returns, for each message, the index of the nearest customer message
/// above it (its parent, its parent's parent, …), or `None` when there is
/// none or the parent links form a cycle.
pub fn nearest_customer(parents: &[Option<usize>], is_customer: &[bool]) -> Vec<Option<usize>> {
    let mut state = vec![State::Unvisited; parents.len()];
    let mut nearest: Vec<Option<usize>> = vec![None; parents.len()];
    for start in 0..parents.len() {
        if state[start] == State::Done {
            continue;
        }
        let mut path = Vec::new();
        let mut current = start;
        // The result for the last message on the path.
        let found = loop {
            state[current] = State::OnPath;
            path.push(current);
            match parents[current] {
                None => break None,
                Some(parent) if is_customer[parent] => break Some(parent),
                Some(parent) => match state[parent] {
                    State::Done => break nearest[parent],
                    State::OnPath => break None,
                    State::Unvisited => current = parent,
                },
            }
        };
        // Each earlier message on the path has the next one as its parent,
        // and the walk passed that parent only because it is not a customer
        // message, so every message on the path shares the result.
        for node in path {
            state[node] = State::Done;
            nearest[node] = found;
        }
    }
    nearest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_follow_chains_and_trees() {
        // 0 <- 1 <- 2, 0 <- 3, 4 alone.
        let parents = [None, Some(0), Some(1), Some(0), None];
        assert_eq!(roots(&parents), [0, 0, 0, 0, 4]);
    }

    #[test]
    fn roots_stop_in_cycles() {
        // 0 -> 1 -> 2 -> 0, and 3 -> 2.
        let parents = [Some(1), Some(2), Some(0), Some(2)];
        let found = roots(&parents);
        assert_eq!(found[0], found[1]);
        assert_eq!(found[1], found[2]);
        assert_eq!(found[3], found[2]);
    }

    #[test]
    fn nearest_customer_skips_team_messages() {
        // 0 customer <- 1 team <- 2 team <- 3 customer <- 4 team.
        let parents = [None, Some(0), Some(1), Some(2), Some(3)];
        let is_customer = [true, false, false, true, false];
        assert_eq!(
            nearest_customer(&parents, &is_customer),
            [None, Some(0), Some(0), Some(0), Some(3)]
        );
    }

    #[test]
    fn nearest_customer_in_cycle_is_none() {
        let parents = [Some(1), Some(0)];
        assert_eq!(nearest_customer(&parents, &[false, false]), [None, None]);
    }

    #[test]
    fn long_chain_is_linear() {
        let length = 200_000;
        let parents: Vec<Option<usize>> = (0..length)
            .map(|index| (index > 0).then(|| index - 1))
            .collect();
        let is_customer: Vec<bool> = (0..length).map(|index| index % 2 == 0).collect();
        assert!(roots(&parents).iter().all(|&root| root == 0));
        assert_eq!(
            nearest_customer(&parents, &is_customer)[length - 1],
            Some(length - 2)
        );
    }
}
