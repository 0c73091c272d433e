//! Group commit (issue 7): SubmitReadings requests that arrive while a transaction commits
//! wait together and share the next one, so that a durable commit (an fsync) is paid per
//! batch, not per request. Each request gets its receipts only after its batch committed
//! (SPEC 7.2). Batches form by themselves: under light load a batch is one request and
//! nothing waits for company; under heavy load they grow.
//!
//! The writer is supervised: a panic on one batch answers that batch's requests with an
//! error (a Server fault: nothing of it was stored) and the writer goes on with the next. The
//! queue is bounded: when it is full a request is refused at once rather than held.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};

use tokio::sync::oneshot;

use super::inflow::{submit_together, Batch};
use super::receipts::Receipt;
use super::ServiceError;
use crate::db::Pool;

/// The most readings one transaction takes: a 1000-reading request still shares with others.
const MAX_READINGS_PER_COMMIT: usize = 2_000;

type Reply = oneshot::Sender<Result<Vec<Receipt>, ServiceError>>;
type Receipts = Result<Vec<Vec<Receipt>>, ServiceError>;

struct Job {
    batch: Batch,
    reply: Reply,
}

/// Called with the number of requests in each committed batch (for /metrics).
pub type BatchObserver = Box<dyn Fn(usize) + Send + Sync>;

/// What the writer tells the rest of the server: how many requests wait, and whether it can
/// write (for /readyz).
#[derive(Default)]
struct Health {
    queued: AtomicUsize,
    running: AtomicBool,
    /// The last transaction failed for want of a database, not because of its requests.
    failing: AtomicBool,
}

pub struct Committer {
    sender: mpsc::SyncSender<Job>,
    health: Arc<Health>,
}

impl Committer {
    /// Starts the writer thread. One on either backend: a batch costs a few statements whatever
    /// its size, and a single writer lets batches grow with the load, which more writers
    /// measured slower on PostgreSQL (bench/PROFILE.md). SQLite has one writer at a time anyway.
    /// At most `queue` requests wait for it.
    pub fn start(pool: Pool, queue: usize, observe: BatchObserver) -> Committer {
        Committer::with_store(queue, observe, move |batches| {
            let mut conn = pool.get()?;
            submit_together(&mut conn, batches)
        })
    }

    fn with_store<S>(queue: usize, observe: BatchObserver, store: S) -> Committer
    where
        S: FnMut(&[Batch]) -> Receipts + Send + 'static,
    {
        let (sender, receiver) = mpsc::sync_channel::<Job>(queue.max(1));
        let health = Arc::new(Health::default());
        health.running.store(true, Ordering::SeqCst);
        let writer = health.clone();
        std::thread::Builder::new()
            .name("carpass-commit".into())
            .spawn(move || {
                // Whatever ends the thread, the server must stop saying it is ready.
                let _stopped = Stopped(writer.clone());
                write_batches(&receiver, &writer, &observe, store)
            })
            .expect("a thread for group commit");
        Committer { sender, health }
    }

    /// Stores the request with whatever else is waiting; answers once it is durable.
    pub async fn submit(&self, batch: Batch) -> Result<Vec<Receipt>, ServiceError> {
        let (reply, answer) = oneshot::channel();
        self.health.queued.fetch_add(1, Ordering::SeqCst);
        if let Err(e) = self.sender.try_send(Job { batch, reply }) {
            self.health.queued.fetch_sub(1, Ordering::SeqCst);
            return Err(match e {
                mpsc::TrySendError::Full(_) => {
                    ServiceError::Busy("the group-commit writer's queue is full".into())
                }
                mpsc::TrySendError::Disconnected(_) => {
                    ServiceError::Unavailable("the group-commit writer stopped".into())
                }
            });
        }
        answer.await.unwrap_or_else(|_| {
            Err(ServiceError::Unavailable(
                "the group-commit writer failed on this request's batch".into(),
            ))
        })
    }

    /// Requests waiting for the writer now.
    pub fn queued(&self) -> usize {
        self.health.queued.load(Ordering::SeqCst)
    }

    /// Whether the writer runs and its last transaction did not fail for want of a database.
    pub fn can_write(&self) -> bool {
        self.health.running.load(Ordering::SeqCst) && !self.health.failing.load(Ordering::SeqCst)
    }
}

struct Stopped(Arc<Health>);

impl Drop for Stopped {
    fn drop(&mut self) {
        self.0.running.store(false, Ordering::SeqCst);
        log::error!("the group-commit writer stopped: SubmitReadings gets Server faults");
    }
}

fn write_batches<S>(
    receiver: &mpsc::Receiver<Job>,
    health: &Health,
    observe: &BatchObserver,
    mut store: S,
) where
    S: FnMut(&[Batch]) -> Receipts,
{
    // Ends when the server shuts down and the senders are gone.
    while let Ok(first) = receiver.recv() {
        let mut readings = first.batch.submissions.len();
        let mut jobs = vec![first];
        while readings < MAX_READINGS_PER_COMMIT {
            match receiver.try_recv() {
                Ok(job) => {
                    readings += job.batch.submissions.len();
                    jobs.push(job);
                }
                Err(_) => break,
            }
        }
        health.queued.fetch_sub(jobs.len(), Ordering::SeqCst);
        observe(jobs.len());
        let requests = jobs.len();
        // The replies go down with the panic, and their requests are answered with an error;
        // the transaction was not committed, and the connection is discarded as broken.
        let outcome = catch_unwind(AssertUnwindSafe(|| commit(&mut store, jobs, health)));
        if outcome.is_err() {
            log::error!(
                "the group-commit writer panicked on a batch of {requests} requests: they get \
                 Server faults, nothing of them was stored; it goes on with the next batch"
            );
        }
    }
}

/// Commits the jobs and answers them. Whether it failed for want of a database is told to
/// `health` before any answer goes out, so that a caller who got the answer reads the
/// readiness that goes with it.
fn commit<S>(store: &mut S, jobs: Vec<Job>, health: &Health)
where
    S: FnMut(&[Batch]) -> Receipts,
{
    let (batches, replies): (Vec<Batch>, Vec<Reply>) =
        jobs.into_iter().map(|j| (j.batch, j.reply)).unzip();
    let outcome = store(&batches);
    let unavailable = matches!(&outcome, Err(e) if e.is_unavailable());
    health.failing.store(unavailable, Ordering::SeqCst);
    match outcome {
        Ok(receipts) => {
            for (reply, receipts) in replies.into_iter().zip(receipts) {
                let _ = reply.send(Ok(receipts));
            }
        }
        Err(e) if e.is_unavailable() => {
            log::error!("a group commit found no database: {e}");
            for reply in replies {
                let _ = reply.send(Err(ServiceError::Unavailable(e.to_string())));
            }
        }
        // Nothing of the failed transaction was stored: each request alone, so that one
        // request's failure is not its neighbours'.
        Err(e) if batches.len() > 1 => {
            log::warn!(
                "a group commit of {} requests failed ({e}); committing them one by one",
                batches.len()
            );
            for (batch, reply) in batches.into_iter().zip(replies) {
                let alone = store(std::slice::from_ref(&batch)).map(|mut r| r.remove(0));
                let _ = reply.send(alone);
            }
        }
        Err(e) => {
            if let Some(reply) = replies.into_iter().next() {
                let _ = reply.send(Err(e));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::language::Language;
    use crate::service::auth::{Account, Role};
    use crate::service::{Caller, Software};
    use std::time::{Duration, Instant};

    fn batch() -> Batch {
        Batch {
            caller: Caller {
                account: Account {
                    id: 1,
                    company_id: 1,
                    username: "garage".into(),
                    role: Role::Submitter,
                },
                language: Language::En,
                software: Software::default(),
            },
            submissions: Vec::new(),
            received: chrono::Utc::now(),
        }
    }

    fn run<T>(future: impl std::future::Future<Output = T>) -> T {
        actix_web::rt::System::new().block_on(future)
    }

    #[test]
    fn a_panic_answers_its_batch_with_an_error_and_the_writer_goes_on() {
        let mut calls = 0;
        let committer = Committer::with_store(8, Box::new(|_| {}), move |batches| {
            calls += 1;
            if calls == 1 {
                panic!("a bug in the first batch");
            }
            Ok(batches.iter().map(|_| Vec::new()).collect())
        });
        let first = run(committer.submit(batch()));
        assert!(
            matches!(&first, Err(ServiceError::Unavailable(m)) if m.contains("failed on this request's batch")),
            "{first:?}"
        );
        assert!(run(committer.submit(batch())).is_ok());
        assert!(committer.can_write());
    }

    #[test]
    fn a_full_queue_refuses_at_once_and_says_so() {
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let (entered, writing_now) = std::sync::mpsc::channel::<()>();
        let committer = Committer::with_store(1, Box::new(|_| {}), move |batches| {
            let _ = entered.send(());
            let _ = wait.recv_timeout(Duration::from_secs(10));
            Ok(batches.iter().map(|_| Vec::new()).collect())
        });
        let committer = Arc::new(committer);
        let submit = |c: &Arc<Committer>| {
            let c = c.clone();
            std::thread::spawn(move || run(c.submit(batch())))
        };
        // One request is being written (the writer waits), one waits in the queue.
        let writing = submit(&committer);
        writing_now.recv_timeout(Duration::from_secs(5)).unwrap();
        let queued = submit(&committer);
        let deadline = Instant::now() + Duration::from_secs(5);
        while committer.queued() < 1 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        let refused = run(committer.submit(batch()));
        assert!(
            matches!(&refused, Err(ServiceError::Busy(m)) if m.contains("queue is full")),
            "{refused:?}"
        );
        release.send(()).unwrap();
        release.send(()).unwrap();
        assert!(writing.join().unwrap().is_ok());
        assert!(queued.join().unwrap().is_ok());
        assert_eq!(committer.queued(), 0);
    }

    #[test]
    fn a_missing_database_makes_the_writer_not_ready_until_it_writes_again() {
        let mut down = true;
        let (toggle, toggled) = std::sync::mpsc::channel::<bool>();
        let committer = Committer::with_store(8, Box::new(|_| {}), move |batches| {
            if let Ok(now_down) = toggled.try_recv() {
                down = now_down;
            }
            if down {
                return Err(ServiceError::Unavailable("no connection".into()));
            }
            Ok(batches.iter().map(|_| Vec::new()).collect())
        });
        assert!(run(committer.submit(batch())).is_err());
        assert!(!committer.can_write());
        toggle.send(false).unwrap();
        assert!(run(committer.submit(batch())).is_ok());
        assert!(committer.can_write());
    }
}
