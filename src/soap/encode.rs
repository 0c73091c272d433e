//! Responses, written with quick-xml's `Writer` so that every value is escaped.

use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::Writer;

use super::schema::NS;
use super::version::SoapVersion;
use crate::domain::reading::ReadingInput;
use crate::service::receipts::{Receipt, ReceiptIssue};

pub type XmlWriter = Writer<Vec<u8>>;

/// A SOAP envelope of the request's version, with whatever `body` writes inside soap:Body.
pub fn soap_envelope(
    version: SoapVersion,
    body: impl FnOnce(&mut XmlWriter) -> std::io::Result<()>,
) -> Vec<u8> {
    let mut w = Writer::new(Vec::with_capacity(1024));
    let result: std::io::Result<()> = (|| {
        w.write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)))?;
        w.create_element("soap:Envelope")
            .with_attribute(("xmlns:soap", version.namespace()))
            .write_inner_content(|w| {
                w.create_element("soap:Body").write_inner_content(body)?;
                Ok(())
            })?;
        Ok(())
    })();
    result.expect("writing to a Vec cannot fail");
    w.into_inner()
}

/// A SOAP envelope around one response element of the inflow's namespace (the default
/// namespace).
pub fn envelope(
    version: SoapVersion,
    response: &str,
    body: impl FnOnce(&mut XmlWriter) -> std::io::Result<()>,
) -> Vec<u8> {
    envelope_in(NS, version, response, body)
}

/// A SOAP envelope around one response element of the namespace `ns` (the default namespace).
pub fn envelope_in(
    ns: &str,
    version: SoapVersion,
    response: &str,
    body: impl FnOnce(&mut XmlWriter) -> std::io::Result<()>,
) -> Vec<u8> {
    soap_envelope(version, |w| {
        w.create_element(response)
            .with_attribute(("xmlns", ns))
            .write_inner_content(body)?;
        Ok(())
    })
}

pub fn leaf(w: &mut XmlWriter, name: &str, value: &str) -> std::io::Result<()> {
    w.create_element(name)
        .write_text_content(BytesText::new(value))?;
    Ok(())
}

pub fn boolean(value: bool) -> &'static str {
    if value {
        "true"
    } else {
        "false"
    }
}

pub fn receipt(w: &mut XmlWriter, receipt: &Receipt) -> std::io::Result<()> {
    w.create_element("Receipt").write_inner_content(|w| {
        leaf(w, "ClientReference", &receipt.client_reference)?;
        leaf(w, "ReadingId", &receipt.reading_id)?;
        leaf(w, "Status", receipt.status.as_str())?;
        for issue in &receipt.issues {
            self::issue(w, "Issue", issue)?;
        }
        Ok(())
    })?;
    Ok(())
}

/// An IssueType when numbered, a PredictedIssueType when not.
pub fn issue(w: &mut XmlWriter, name: &str, issue: &ReceiptIssue) -> std::io::Result<()> {
    w.create_element(name).write_inner_content(|w| {
        if let Some(number) = issue.number {
            leaf(w, "IssueNumber", &number.to_string())?;
        }
        leaf(w, "Code", issue.code.as_str())?;
        leaf(w, "Severity", issue.severity.as_str())?;
        leaf(w, "Correctable", boolean(issue.correctable))?;
        if let Some(field) = &issue.field {
            leaf(w, "Field", field)?;
        }
        leaf(w, "Message", &issue.message)?;
        if let Some(state) = issue.state {
            leaf(w, "State", state.as_str())?;
        }
        Ok(())
    })?;
    Ok(())
}

/// A reading's values as a CorrectedReadingType, in the XSD's order.
pub fn reading_values(w: &mut XmlWriter, name: &str, r: &ReadingInput) -> std::io::Result<()> {
    w.create_element(name).write_inner_content(|w| {
        leaf(w, "Vin", &r.vin)?;
        leaf(w, "WorkDate", &r.work_date.to_string())?;
        leaf(w, "Odometer", &r.odometer.to_string())?;
        leaf(w, "OdometerUnit", r.unit.as_str())?;
        if let Some(replaced) = r.odometer_replaced {
            leaf(w, "OdometerReplaced", &replaced.to_string())?;
        }
        leaf(w, "Subcontracted", boolean(r.subcontracted))?;
        leaf(w, "CustomerType", r.customer_type.as_str())?;
        let cents = r.invoice_total_cents;
        leaf(
            w,
            "InvoiceTotal",
            &format!("{}.{:02}", cents / 100, cents % 100),
        )?;
        for work in &r.works {
            w.create_element("Work").write_inner_content(|w| {
                leaf(w, "ActivityCode", &work.activity_code)?;
                leaf(w, "Description", &work.description)
            })?;
        }
        if let Some(plate) = &r.license_plate {
            leaf(w, "LicensePlate", plate)?;
        }
        Ok(())
    })?;
    Ok(())
}
