//! Arbitrary bytes through everything the server does with a request before it touches the
//! database: the XML reader and the envelope, the operation, the headers, the schema tables and
//! the decoders. Nothing may panic, and a request the schema accepted must decode (a failure
//! there is drift between `soap/schema.rs` and `soap/decode.rs`).

#![no_main]

use carpass::service::operation::Operation;
use carpass::soap::envelope;
use carpass::soap::fault::FaultCode;
use carpass::soap::version::SoapVersion;
use carpass::soap::{decode, operations, schema, security, FEEDS, INFLOW};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // SOAP 1.1 as the brief's contract; a SOAP 1.2 envelope (one of the seeds) is read as 1.2.
    let env = match envelope::parse(data, SoapVersion::Soap11) {
        Ok(env) => env,
        Err(fault) if fault.code == FaultCode::VersionMismatch => {
            match envelope::parse(data, SoapVersion::Soap12) {
                Ok(env) => env,
                Err(_) => return,
            }
        }
        Err(_) => return,
    };
    let _ = security::credentials(&env.headers, None);
    // Either contract: the inflow's operations, or the partners' feeds'.
    let Some((contract, op)) = [&INFLOW, &FEEDS]
        .into_iter()
        .find_map(|c| c.identify(&env.operation).ok().map(|op| (c, op)))
    else {
        return;
    };
    let _ = decode::client_info_in(contract.namespace, &env.headers);
    let checked = schema::validate_in(
        contract.namespace,
        &env.operation,
        operations::schema(op),
        op.name(),
    );
    if checked.is_err() {
        return;
    }
    let element = &env.operation;
    match op {
        // As src/soap/operations/submit_readings.rs does.
        Operation::SubmitReadings => {
            for (i, reading) in element.children_named(schema::NS, "Reading").enumerate() {
                let path = format!("SubmitReadings/Reading[{}]", i + 1);
                if let Err(fault) = decode::submission(reading, &path) {
                    panic!("the schema accepted {path} but it does not decode: {fault:?}");
                }
            }
        }
        Operation::ValidateReading => {
            let reading = element.child(schema::NS, "Reading").expect("validated");
            if let Err(fault) = decode::reading_input(reading, "ValidateReading/Reading") {
                panic!("the schema accepted ValidateReading but it does not decode: {fault:?}");
            }
        }
        Operation::CorrectIssue => {
            let correction = element.child(schema::NS, "Correction").expect("validated");
            if let Err(fault) = decode::reading_input(correction, "CorrectIssue/Correction") {
                panic!("the schema accepted CorrectIssue but it does not decode: {fault:?}");
            }
        }
        _ => {}
    }
});
