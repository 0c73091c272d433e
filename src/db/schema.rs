//! One schema for both backends: only types that SQLite and PostgreSQL map the same way.

diesel::table! {
    companies (id) {
        id -> BigInt,
        kbo -> Text,
        name -> Text,
        kind -> Text,
        nace_codes -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    accounts (id) {
        id -> BigInt,
        company_id -> BigInt,
        username -> Text,
        role -> Text,
        password_hash -> Text,
        created_at -> Timestamp,
        disabled_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    account_events (id) {
        id -> BigInt,
        company_id -> BigInt,
        account_id -> Nullable<BigInt>,
        action -> Text,
        staff_username -> Nullable<Text>,
        note -> Nullable<Text>,
        acted_at -> Timestamp,
    }
}

diesel::table! {
    vehicles (vin) {
        vin -> Text,
        make -> Nullable<Text>,
        model -> Nullable<Text>,
        category -> Nullable<Text>,
        mass_kg -> Nullable<Integer>,
        first_registration -> Nullable<Date>,
        first_registration_be -> Nullable<Date>,
        imported_used -> Nullable<Bool>,
        five_digit_odometer -> Nullable<Bool>,
        euro_norm -> Nullable<Text>,
        co2_g_km -> Nullable<Integer>,
        fuel -> Nullable<Text>,
        imported_at -> Timestamp,
    }
}

diesel::table! {
    readings (id) {
        id -> Text,
        account_id -> BigInt,
        company_id -> BigInt,
        client_reference -> Text,
        vin -> Text,
        work_date -> Date,
        odometer -> BigInt,
        odometer_unit -> Text,
        odometer_km -> BigInt,
        odometer_replaced -> Nullable<BigInt>,
        subcontracted -> Bool,
        customer_type -> Text,
        invoice_total_cents -> BigInt,
        license_plate -> Nullable<Text>,
        language -> Text,
        software_builder -> Nullable<Text>,
        software_name -> Nullable<Text>,
        software_version -> Nullable<Text>,
        status -> Text,
        receipt_status -> Text,
        received_at -> Timestamp,
        updated_at -> Timestamp,
        source -> Text,
    }
}

diesel::table! {
    reading_works (reading_id, position) {
        reading_id -> Text,
        position -> Integer,
        activity_code -> Text,
        description -> Text,
    }
}

diesel::table! {
    issues (id) {
        id -> BigInt,
        reading_id -> Text,
        code -> Text,
        severity -> Text,
        correctable -> Bool,
        field -> Nullable<Text>,
        detail -> Text,
        state -> Text,
        on_receipt -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    vin_locks (vin) {
        vin -> Text,
        locked_at -> Timestamp,
    }
}

diesel::table! {
    ws_nonces (username, nonce) {
        username -> Text,
        nonce -> Text,
        seen_at -> Timestamp,
    }
}

diesel::table! {
    issue_answers (issue_id) {
        issue_id -> BigInt,
        kind -> Text,
        account_id -> BigInt,
        note -> Nullable<Text>,
        answered_at -> Timestamp,
    }
}

diesel::table! {
    reading_versions (id) {
        id -> BigInt,
        reading_id -> Text,
        previous_values -> Text,
        changed_by -> Text,
        channel -> Text,
        issue_id -> Nullable<BigInt>,
        form_reference -> Nullable<Text>,
        changed_at -> Timestamp,
    }
}

diesel::table! {
    staff_actions (id) {
        id -> BigInt,
        reading_id -> Text,
        staff_username -> Text,
        action -> Text,
        note -> Text,
        form_reference -> Nullable<Text>,
        acted_at -> Timestamp,
    }
}

diesel::table! {
    ok_labels (id) {
        id -> Text,
        vin -> Text,
        advertised_km -> BigInt,
        advert_reference -> Nullable<Text>,
        account_id -> BigInt,
        granted_at -> Timestamp,
    }
}

diesel::table! {
    dms_approvals (id) {
        id -> Text,
        session_id -> Text,
        evaluation_id -> Text,
        dms_name -> Text,
        dms_version -> Text,
        dms_builder -> Text,
        valid_until -> Date,
        approved_at -> Timestamp,
        approved_by -> Text,
        note -> Text,
        revoked_at -> Nullable<Timestamp>,
        revoked_by -> Nullable<Text>,
        revoke_note -> Nullable<Text>,
    }
}

diesel::table! {
    trusted_provider_lists (year) {
        year -> Integer,
        min_readings -> BigInt,
        published_at -> Timestamp,
        published_by -> Text,
    }
}

diesel::table! {
    trusted_providers (year, company_id) {
        year -> Integer,
        company_id -> BigInt,
        kbo -> Text,
        name -> Text,
        readings -> BigInt,
        discrepancies -> BigInt,
    }
}

diesel::table! {
    staff_sessions (token_hash) {
        token_hash -> Text,
        username -> Text,
        csrf_token -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    feed_batches (company_id, batch_id) {
        company_id -> BigInt,
        batch_id -> Text,
        account_id -> BigInt,
        source -> Text,
        format -> Text,
        channel -> Text,
        lines -> BigInt,
        prefix_sha256 -> Text,
        stored -> BigInt,
        conflicts -> BigInt,
        refused -> BigInt,
        file_sha256 -> Nullable<Text>,
        started_at -> Timestamp,
        updated_at -> Timestamp,
        completed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    feed_lines (company_id, batch_id, line) {
        company_id -> BigInt,
        batch_id -> Text,
        line -> BigInt,
        outcome -> Text,
        reason -> Text,
        detail -> Text,
        reading_id -> Nullable<Text>,
    }
}

// The certification database only (migrations/certification).
diesel::table! {
    certification_sessions (id) {
        id -> Text,
        dms_name -> Text,
        dms_version -> Text,
        dms_builder -> Text,
        company_id -> BigInt,
        username -> Text,
        sheet -> Text,
        created_at -> Timestamp,
        recorded_exchanges -> BigInt,
        recorded_bytes -> BigInt,
        refused_exchanges -> BigInt,
    }
}

diesel::table! {
    certification_steps (session_id, number, attempt) {
        id -> BigInt,
        session_id -> Text,
        number -> Integer,
        attempt -> Integer,
        opened_at -> Timestamp,
        opened_by -> Text,
    }
}

diesel::table! {
    certification_exchanges (id) {
        id -> BigInt,
        session_id -> Text,
        step -> Nullable<Integer>,
        received_at -> Timestamp,
        answered_at -> Timestamp,
        method -> Text,
        path -> Text,
        request_headers -> Text,
        request_body -> Binary,
        response_status -> Integer,
        response_headers -> Text,
        response_body -> Binary,
        injected -> Nullable<Text>,
        attempt -> Nullable<Integer>,
        request_size -> BigInt,
        request_sha256 -> Nullable<Text>,
        request_note -> Nullable<Text>,
        request_facts -> Nullable<Text>,
        operation -> Nullable<Text>,
        outcome -> Nullable<Text>,
    }
}

diesel::table! {
    certification_attachments (id) {
        id -> BigInt,
        session_id -> Text,
        step -> Integer,
        file_name -> Text,
        content_type -> Text,
        content -> Binary,
        sha256 -> Text,
        attached_at -> Timestamp,
        attached_by -> Text,
        original_name -> Nullable<Text>,
    }
}

diesel::table! {
    certification_evaluations (id) {
        id -> Text,
        session_id -> Text,
        created_at -> Timestamp,
        created_by -> Text,
        certifiable -> Bool,
        report -> Text,
    }
}

diesel::table! {
    certification_verdicts (id) {
        id -> BigInt,
        session_id -> Text,
        criterion -> Text,
        passed -> Bool,
        note -> Text,
        decided_at -> Timestamp,
        decided_by -> Text,
    }
}

diesel::table! {
    car_passes (id) {
        id -> Text,
        vin -> Text,
        reading_id -> Text,
        account_id -> BigInt,
        company_id -> BigInt,
        issued_at -> Timestamp,
        valid_until -> Date,
        price_cents -> BigInt,
        language -> Text,
        document -> Text,
    }
}

diesel::table! {
    verify_misses (id) {
        id -> BigInt,
        client -> Text,
        missed_at -> Timestamp,
    }
}

diesel::table! {
    certification_review_notes (id) {
        id -> BigInt,
        session_id -> Text,
        kind -> Text,
        criterion -> Nullable<Text>,
        passed -> Nullable<Bool>,
        body -> Text,
        written_at -> Timestamp,
        written_by -> Text,
    }
}

diesel::table! {
    recalls (vin, reference) {
        vin -> Text,
        reference -> Text,
        title_nl -> Text,
        title_fr -> Text,
        title_de -> Nullable<Text>,
        title_en -> Nullable<Text>,
        opened_on -> Date,
        reported_by -> BigInt,
        reported_at -> Timestamp,
        closed_on -> Nullable<Date>,
        closed_how -> Nullable<Text>,
        closed_by -> Nullable<BigInt>,
        closed_reading_id -> Nullable<Text>,
        closed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    foreign_readings (reading_id) {
        reading_id -> Text,
        vin -> Text,
        work_date -> Date,
        odometer -> BigInt,
        odometer_unit -> Text,
        country -> Text,
        source_text -> Text,
    }
}

diesel::table! {
    post_accident_events (id) {
        id -> BigInt,
        vin -> Text,
        kind -> Text,
        event_date -> Date,
        informex_reference -> Nullable<Text>,
        company_id -> BigInt,
        account_id -> BigInt,
        received_at -> Timestamp,
    }
}

diesel::joinable!(accounts -> companies (company_id));
diesel::joinable!(account_events -> accounts (account_id));
diesel::joinable!(issues -> readings (reading_id));
diesel::joinable!(reading_works -> readings (reading_id));
diesel::joinable!(foreign_readings -> readings (reading_id));

diesel::allow_tables_to_appear_in_same_query!(
    companies,
    accounts,
    account_events,
    vehicles,
    readings,
    reading_works,
    issues,
    vin_locks,
    ws_nonces,
    issue_answers,
    reading_versions,
    staff_actions,
    ok_labels,
    dms_approvals,
    trusted_provider_lists,
    trusted_providers,
    staff_sessions,
    feed_batches,
    feed_lines,
    car_passes,
    verify_misses,
    recalls,
    foreign_readings,
    post_accident_events,
    rdw_verdicts,
    foreign_refusals,
);

diesel::table! {
    rdw_verdicts (company_id, batch_id, line) {
        company_id -> BigInt,
        batch_id -> Text,
        line -> BigInt,
        vin -> Text,
        verdict -> Text,
        judged_on -> Date,
        imported_at -> Timestamp,
    }
}

diesel::table! {
    foreign_refusals (id) {
        id -> BigInt,
        company_id -> BigInt,
        account_id -> BigInt,
        vin -> Text,
        reading_date -> Date,
        odometer -> BigInt,
        odometer_unit -> Text,
        country -> Text,
        reason -> Text,
        detail -> Text,
        refused_at -> Timestamp,
    }
}
