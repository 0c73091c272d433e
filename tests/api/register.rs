//! Readings of a VIN the register does not know wait, and are re-evaluated when it arrives.

use carpass::service::register;

use crate::helpers::*;

on_both_backends! {
    async fn a_waiting_reading_is_evaluated_when_its_vehicle_is_imported(app: TestApp) {
        let first = app.submit_one(reading("WR-1", UNREGISTERED, date(2025, 6, 2), 99_000)).await;
        assert_eq!(first.status, "WaitingForRegistration");
        let second = app.submit_one(reading("WR-2", UNREGISTERED, date(2025, 6, 3), 100_500)).await;
        assert_eq!(second.status, "WaitingForRegistration");

        // It arrives with a 5-digit odometer: the second reading shows six digits.
        let mut conn = app.pool.get().unwrap();
        let summary = register::import(&mut conn, &[vehicle(UNREGISTERED, "M1", true)], now()).unwrap();
        assert_eq!(summary.readings_reevaluated, 2);

        use carpass::db::schema::{issues, readings};
        use diesel::prelude::*;
        let statuses: Vec<(String, String, String)> = readings::table
            .order(readings::client_reference)
            .select((readings::client_reference, readings::status, readings::receipt_status))
            .load(&mut **conn)
            .unwrap();
        assert_eq!(
            statuses,
            [
                ("WR-1".into(), "Accepted".into(), "WaitingForRegistration".into()),
                ("WR-2".into(), "PendingCorrection".into(), "WaitingForRegistration".into()),
            ]
        );
        let codes: Vec<String> = issues::table.select(issues::code).load(&mut **conn).unwrap();
        assert_eq!(codes, ["FIVE_DIGIT_OVERFLOW"]);
        drop(conn);

        // The original receipt is what a resubmission gets.
        let again = app.submit_one(reading("WR-2", UNREGISTERED, date(2025, 6, 3), 100_500)).await;
        assert_eq!(again, second);
    }
}
