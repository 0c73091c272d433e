//! Group commit (issue 7): SubmitReadings requests that arrive while a transaction commits
//! wait together and share the next one, so that a durable commit (an fsync) is paid per
//! batch, not per request. Each request gets its receipts only after its batch committed
//! (SPEC 7.2). Batches form by themselves: under light load a batch is one request and
//! nothing waits for company; under heavy load they grow.

use std::sync::mpsc;

use tokio::sync::oneshot;

use super::inflow::{submit_together, Batch};
use super::receipts::Receipt;
use super::ServiceError;
use crate::db::Pool;

/// The most readings one transaction takes: a 1000-reading request still shares with others.
const MAX_READINGS_PER_COMMIT: usize = 2_000;

type Reply = oneshot::Sender<Result<Vec<Receipt>, ServiceError>>;

struct Job {
    batch: Batch,
    reply: Reply,
}

/// Called with the number of requests in each committed batch (for /metrics).
pub type BatchObserver = Box<dyn Fn(usize) + Send + Sync>;

pub struct Committer {
    sender: mpsc::Sender<Job>,
}

impl Committer {
    /// Starts the writer thread. One on either backend: a batch costs a few statements whatever
    /// its size, and a single writer lets batches grow with the load, which more writers
    /// measured slower on PostgreSQL (bench/PROFILE.md). SQLite has one writer at a time anyway.
    pub fn start(pool: Pool, observe: BatchObserver) -> Committer {
        let (sender, receiver) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("carpass-commit".into())
            .spawn(move || write_batches(&receiver, &pool, &observe))
            .expect("a thread for group commit");
        Committer { sender }
    }

    /// Stores the request with whatever else is waiting; answers once it is durable.
    pub async fn submit(&self, batch: Batch) -> Result<Vec<Receipt>, ServiceError> {
        let (reply, answer) = oneshot::channel();
        if self.sender.send(Job { batch, reply }).is_err() {
            return Err(ServiceError::Unavailable(
                "the group-commit writer stopped".into(),
            ));
        }
        answer.await.unwrap_or_else(|_| {
            Err(ServiceError::Unavailable(
                "the group-commit writer stopped".into(),
            ))
        })
    }
}

fn write_batches(receiver: &mpsc::Receiver<Job>, pool: &Pool, observe: &BatchObserver) {
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
        observe(jobs.len());
        commit(pool, jobs);
    }
}

fn commit(pool: &Pool, jobs: Vec<Job>) {
    let (batches, replies): (Vec<Batch>, Vec<Reply>) =
        jobs.into_iter().map(|j| (j.batch, j.reply)).unzip();
    let mut conn = match pool.get() {
        Ok(conn) => conn,
        Err(e) => {
            for reply in replies {
                let _ = reply.send(Err(ServiceError::Unavailable(e.to_string())));
            }
            return;
        }
    };
    match submit_together(&mut conn, &batches) {
        Ok(receipts) => {
            for (reply, receipts) in replies.into_iter().zip(receipts) {
                let _ = reply.send(Ok(receipts));
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
                let alone = submit_together(&mut conn, std::slice::from_ref(&batch))
                    .map(|mut r| r.remove(0));
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
