//! Running independent jobs on a few threads: the one work queue that loading, rendering and
//! writing share.

use std::sync::atomic::{AtomicUsize, Ordering};

/// One thread per core (1 when that cannot be told).
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Runs `job(0)`, …, `job(count - 1)` on up to `threads` threads, the caller's among them; each
/// thread takes the next job when it is free. Gives the results in job order, or the error of
/// the first job (by number) that failed; a thread stops at its first failure.
pub fn map<T: Send, E: Send>(
    count: usize,
    threads: usize,
    job: impl Fn(usize) -> Result<T, E> + Sync,
) -> Result<Vec<T>, E> {
    let next = AtomicUsize::new(0);
    let work = || -> Result<Vec<(usize, T)>, (usize, E)> {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= count {
                return Ok(done);
            }
            done.push((i, job(i).map_err(|e| (i, e))?));
        }
    };
    let outcomes = std::thread::scope(|scope| {
        let handles: Vec<_> = (1..threads.clamp(1, count.max(1)))
            .map(|_| scope.spawn(work))
            .collect();
        let mut outcomes = vec![work()];
        outcomes.extend(
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))),
        );
        outcomes
    });
    let mut results = Vec::with_capacity(count);
    let mut failure: Option<(usize, E)> = None;
    for outcome in outcomes {
        match outcome {
            Ok(done) => results.extend(done),
            Err((i, e)) if failure.as_ref().is_none_or(|(j, _)| i < *j) => failure = Some((i, e)),
            Err(_) => {}
        }
    }
    if let Some((_, e)) = failure {
        return Err(e);
    }
    results.sort_unstable_by_key(|(i, _)| *i);
    Ok(results.into_iter().map(|(_, r)| r).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_in_job_order_on_any_number_of_threads() {
        for threads in [0, 1, 2, 5, 50] {
            let squares = map(20, threads, |i| Ok::<_, ()>(i * i)).expect("no job fails");
            assert_eq!(squares, (0..20).map(|i| i * i).collect::<Vec<_>>());
        }
        assert_eq!(map(0, 4, Ok::<_, ()>), Ok(Vec::new()));
    }

    #[test]
    fn the_first_failing_job_gives_the_error() {
        for threads in [1, 3] {
            let r = map(30, threads, |i| if i % 7 == 5 { Err(i) } else { Ok(i) });
            assert_eq!(r, Err(5));
        }
    }
}
