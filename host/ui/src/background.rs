//! Work on a thread of its own that reports progress while it runs, for
//! exports and demo data that take seconds to minutes.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::thread;

use iced::futures::Stream;
use iced::futures::channel::mpsc;

use crate::labels;

/// An update from work started by [`with_progress`].
#[derive(Debug, Clone)]
pub enum Step<P, T> {
    /// The work reported progress.
    Progress(P),
    /// The work ended with this result. It is the last update.
    Finished(Result<T, String>),
}

/// Runs `work` on a new thread named `name`. The returned stream yields
/// every progress value that `work` passes to its callback, then the
/// result of `work`, and then ends. A panic in `work` ends the stream with
/// an error.
pub fn with_progress<P, T>(
    name: &'static str,
    work: impl FnOnce(&mut dyn FnMut(P)) -> Result<T, String> + Send + 'static,
) -> impl Stream<Item = Step<P, T>>
where
    P: Send + 'static,
    T: Send + 'static,
{
    let (sender, receiver) = mpsc::unbounded();
    let thread_sender = sender.clone();
    let spawned = thread::Builder::new()
        .name(name.to_string())
        .spawn(move || {
            let mut report = |progress: P| {
                // A closed receiver means the window is gone; the work
                // finishes anyway, so a database write is not cut short.
                let _ = thread_sender.unbounded_send(Step::Progress(progress));
            };
            let result = catch_unwind(AssertUnwindSafe(|| work(&mut report)))
                .unwrap_or_else(|_| Err(labels::thread_panicked(name)));
            let _ = thread_sender.unbounded_send(Step::Finished(result));
        });
    if let Err(error) = spawned {
        let error = format!("could not start the thread {name}: {error}");
        let _ = sender.unbounded_send(Step::Finished(Err(error)));
    }
    // The stream ends when the thread drops its sender.
    drop(sender);
    receiver
}
