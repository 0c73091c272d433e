//! The evidence bundle for the archive (SPEC 5.3): the three reports, every exchange as it was
//! recorded, the screenshots, and a `SHA256SUMS` that `sha256sum -c` checks. An uncompressed tar
//! with fixed times and modes, so that the same evaluation always gives the same bytes.

use std::borrow::Borrow;
use std::collections::BTreeSet;
use std::convert::Infallible;
use std::io::Write;

use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{html, json, junit};
use crate::certification::evaluations::{headers_of, Evidence, Report};
use crate::certification::sessions::hex;
use crate::db::certification::{AttachmentRow, ExchangeRow};

pub fn render(report: &Report, evidence: &Evidence) -> Vec<u8> {
    let rows = evidence.exchanges.iter().map(Ok::<_, Infallible>);
    match write(report, &evidence.attachments, rows, Vec::new()) {
        Ok(bundle) => bundle,
        Err(BundleError::Write(e)) => unreachable!("a tar in memory cannot fail: {e}"),
        Err(BundleError::Read(never)) => match never {},
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BundleError<E> {
    #[error(transparent)]
    Read(E),
    #[error("the bundle could not be written: {0}")]
    Write(#[from] std::io::Error),
}

/// Writes the bundle to `out` as the exchanges come, so that a large recording is never held
/// whole: each exchange is dropped once its three files are written.
pub fn write<W: Write, R: Borrow<ExchangeRow>, E>(
    report: &Report,
    attachments: &[AttachmentRow],
    exchanges: impl IntoIterator<Item = Result<R, E>>,
    out: W,
) -> Result<W, BundleError<E>> {
    let mut tar = Tar {
        builder: tar::Builder::new(out),
        mtime: u64::try_from(report.evaluated_at.timestamp()).unwrap_or(0),
        sums: String::new(),
    };
    tar.add("report.json", json(report).as_bytes())?;
    tar.add("report.html", html::render(report, attachments).as_bytes())?;
    tar.add("report.junit.xml", junit::render(report).as_bytes())?;
    // Numbered as the report numbers them: in the order they were recorded, from 1.
    for (i, row) in exchanges.into_iter().enumerate() {
        let row = row.map_err(BundleError::Read)?;
        let row = row.borrow();
        let n = i + 1;
        tar.add(&format!("exchanges/{n:04}-request.xml"), &row.request_body)?;
        tar.add(
            &format!("exchanges/{n:04}-response.xml"),
            &row.response_body,
        )?;
        tar.add(&format!("exchanges/{n:04}.json"), &exchange(row))?;
    }
    let mut taken = BTreeSet::new();
    for attachment in attachments {
        tar.add(
            &screenshot_path(attachment, &mut taken),
            &attachment.content,
        )?;
    }
    let sums = std::mem::take(&mut tar.sums);
    tar.append("SHA256SUMS", sums.as_bytes())?;
    Ok(tar.builder.into_inner()?)
}

/// An uncompressed tar with fixed times and modes, so that the same evaluation always gives
/// the same bytes; each file's line of `SHA256SUMS` collected as it goes.
struct Tar<W: Write> {
    builder: tar::Builder<W>,
    mtime: u64,
    sums: String,
}

impl<W: Write> Tar<W> {
    fn add(&mut self, path: &str, data: &[u8]) -> std::io::Result<()> {
        self.sums
            .push_str(&format!("{}  {path}\n", hex(&Sha256::digest(data))));
        self.append(path, data)
    }

    fn append(&mut self, path: &str, data: &[u8]) -> std::io::Result<()> {
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Regular);
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(self.mtime);
        self.builder.append_data(&mut header, path, data)
    }
}

/// What the recording knows about an exchange besides its two bodies, in the order it happened.
#[derive(Serialize)]
struct ExchangeMeta<'a> {
    method: &'a str,
    path: &'a str,
    received_at: DateTime<Utc>,
    answered_at: DateTime<Utc>,
    step: Option<i32>,
    request_headers: Vec<(String, String)>,
    /// As received; the body here may be shorter (`request_note` says why).
    request_size: i64,
    /// Of the body as kept whole, before any shortening; none when nothing is kept.
    request_sha256: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    request_note: Option<&'a str>,
    response_status: i32,
    response_headers: Vec<(String, String)>,
    injected: Option<&'a str>,
}

fn exchange(row: &ExchangeRow) -> Vec<u8> {
    let meta = ExchangeMeta {
        method: &row.method,
        path: &row.path,
        received_at: row.received_at.and_utc(),
        answered_at: row.answered_at.and_utc(),
        step: row.step,
        request_headers: headers_of(&row.request_headers),
        request_size: row.request_size,
        request_sha256: row.request_sha256.as_deref(),
        request_note: row.request_note.as_deref(),
        response_status: row.response_status,
        response_headers: headers_of(&row.response_headers),
        injected: row.injected.as_deref(),
    };
    serde_json::to_vec_pretty(&meta).expect("an exchange's metadata serialises")
}

/// `screenshots/step-07-<file name>`. The name is the uploader's: no separators or control
/// characters, so it stays one entry under `screenshots/` and one line of `SHA256SUMS`; a name
/// used twice in a step gets a counter rather than overwriting the first on extraction.
fn screenshot_path(attachment: &AttachmentRow, taken: &mut BTreeSet<String>) -> String {
    let name: String = attachment
        .file_name
        .chars()
        .map(|c| {
            if c == '/' || c == '\\' || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    let step = attachment.step;
    let mut path = format!("screenshots/step-{step:02}-{name}");
    let mut copy = 2;
    while !taken.insert(path.clone()) {
        path = format!("screenshots/step-{step:02}-{copy}-{name}");
        copy += 1;
    }
    path
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::io::Read;

    use super::*;
    use crate::certification::report::sample;

    struct Entry {
        data: Vec<u8>,
        mode: u32,
        mtime: u64,
    }

    /// The archive's entries in order, read back as any tar reader would.
    fn read(bundle: &[u8]) -> Vec<(String, Entry)> {
        let mut archive = tar::Archive::new(bundle);
        archive
            .entries()
            .unwrap()
            .map(|entry| {
                let mut entry = entry.unwrap();
                let path = entry.path().unwrap().to_string_lossy().into_owned();
                let (mode, mtime) = (
                    entry.header().mode().unwrap(),
                    entry.header().mtime().unwrap(),
                );
                let mut data = Vec::new();
                entry.read_to_end(&mut data).unwrap();
                (path, Entry { data, mode, mtime })
            })
            .collect()
    }

    #[test]
    fn the_bundle_holds_the_reports_the_exchanges_and_the_screenshots_with_the_sums_last() {
        let entries = read(&render(&sample::report(), &sample::evidence()));
        let paths: Vec<&str> = entries.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            paths,
            [
                "report.json",
                "report.html",
                "report.junit.xml",
                "exchanges/0001-request.xml",
                "exchanges/0001-response.xml",
                "exchanges/0001.json",
                "exchanges/0002-request.xml",
                "exchanges/0002-response.xml",
                "exchanges/0002.json",
                "exchanges/0003-request.xml",
                "exchanges/0003-response.xml",
                "exchanges/0003.json",
                "screenshots/step-03-paper form.png",
                "SHA256SUMS",
            ]
        );
        let files: BTreeMap<&str, &Entry> = entries.iter().map(|(p, e)| (p.as_str(), e)).collect();
        assert_eq!(
            files["exchanges/0002-request.xml"].data,
            b"<Envelope n=\"2\"/>"
        );
        assert_eq!(
            files["exchanges/0003-response.xml"].data,
            b"<Receipt n=\"3\"/>"
        );
        assert_eq!(
            files["screenshots/step-03-paper form.png"].data,
            b"\x89PNG not really"
        );
        let report: crate::certification::evaluations::Report =
            serde_json::from_slice(&files["report.json"].data).unwrap();
        assert_eq!(report, sample::report());
    }

    #[test]
    fn every_file_but_the_sums_is_listed_in_sha256sums_with_its_hash() {
        let entries = read(&render(&sample::report(), &sample::evidence()));
        let (last, sums) = entries.last().unwrap();
        assert_eq!(last, "SHA256SUMS");
        let sums = String::from_utf8(sums.data.clone()).unwrap();
        let listed: Vec<(&str, &str)> = sums
            .lines()
            .map(|l| l.split_once("  ").expect("<hex>  <path>"))
            .collect();
        assert_eq!(listed.len(), entries.len() - 1);
        for ((hash, path), (entry_path, entry)) in listed.iter().zip(&entries) {
            assert_eq!(path, entry_path);
            assert_eq!(*hash, hex(&Sha256::digest(&entry.data)), "{path}");
        }
    }

    #[test]
    fn an_exchange_s_metadata_has_its_headers_decoded() {
        let entries = read(&render(&sample::report(), &sample::evidence()));
        let meta = &entries
            .iter()
            .find(|(p, _)| p == "exchanges/0002.json")
            .unwrap()
            .1;
        let meta: serde_json::Value = serde_json::from_slice(&meta.data).unwrap();
        assert_eq!(meta["method"], "POST");
        assert_eq!(meta["step"], 2);
        assert_eq!(meta["injected"], "server");
        assert_eq!(meta["response_status"], 200);
        assert_eq!(meta["received_at"], "2025-03-14T09:30:00Z");
        assert_eq!(
            meta["request_headers"][0],
            serde_json::json!(["Content-Type", "text/xml"])
        );
        assert_eq!(meta["response_headers"][0][1], "text/xml; charset=utf-8");
    }

    #[test]
    fn the_same_evaluation_always_gives_the_same_bytes() {
        let (report, evidence) = (sample::report(), sample::evidence());
        let bundle = render(&report, &evidence);
        assert_eq!(bundle, render(&report, &evidence));
        for (path, entry) in read(&bundle) {
            assert_eq!(entry.mode, 0o644, "{path}");
            assert_eq!(entry.mtime, sample::at().timestamp() as u64, "{path}");
        }
    }

    #[test]
    fn an_uploaded_file_name_cannot_leave_screenshots_or_overwrite_another() {
        let mut evidence = sample::evidence();
        let mut sneaky = evidence.attachments[0].clone();
        sneaky.file_name = "../../etc/passwd\nx".into();
        evidence.attachments.push(sneaky);
        evidence.attachments.push(evidence.attachments[0].clone());
        let paths: Vec<String> = read(&render(&sample::report(), &evidence))
            .into_iter()
            .map(|(p, _)| p)
            .collect();
        let screenshots: Vec<&str> = paths
            .iter()
            .filter(|p| p.starts_with("screenshots/"))
            .map(String::as_str)
            .collect();
        assert_eq!(
            screenshots,
            [
                "screenshots/step-03-paper form.png",
                "screenshots/step-03-.._.._etc_passwd_x",
                "screenshots/step-03-2-paper form.png",
            ]
        );
    }
}
