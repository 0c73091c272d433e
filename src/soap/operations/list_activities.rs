//! ListActivities: the standard work descriptions, labelled in the caller's language.

use crate::domain::activity::ActivityCode;
use crate::service::Caller;
use crate::soap::encode;
use crate::soap::version::SoapVersion;

pub fn handle(caller: &Caller, version: SoapVersion) -> Vec<u8> {
    encode::envelope(version, "ListActivitiesResponse", |w| {
        ActivityCode::ALL.iter().try_for_each(|code| {
            w.create_element("Activity").write_inner_content(|w| {
                encode::leaf(w, "Code", code.as_str())?;
                encode::leaf(w, "Label", code.label(caller.language))
            })?;
            Ok(())
        })
    })
}
