//! The probes an orchestrator asks.

on_both_backends! {
    async fn healthz_and_readyz_answer_when_the_database_does(app: TestApp) {
        let client = awc::Client::default();
        for path in ["/healthz", "/readyz"] {
            let response = client.get(format!("{}{path}", app.address)).send().await.unwrap();
            assert_eq!(response.status(), 200, "{path}");
        }
    }
}
