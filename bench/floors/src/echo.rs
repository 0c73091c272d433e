//! The HTTP floor: actix-web with nothing but the body handed back, on as many workers as
//! carpass runs by default (one per core). No logger, no parsing, no database.

use actix_web::{web, App, HttpResponse, HttpServer};

pub fn serve(bind: &str) -> std::io::Result<()> {
    actix_web::rt::System::new().block_on(async {
        HttpServer::new(|| {
            App::new().default_service(web::to(|body: web::Bytes| async move {
                HttpResponse::Ok()
                    .content_type("text/xml; charset=utf-8")
                    .body(body)
            }))
        })
        .bind(bind)?
        .run()
        .await
    })
}
