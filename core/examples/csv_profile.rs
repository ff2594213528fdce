//! Profiling aid: parse and check a generated 100,000-row file natively, repeatedly.
fn main() {
    let rows: usize = std::env::args()
        .nth(1)
        .map_or(100_000, |s| s.parse().unwrap());
    let mut text = String::from("user_id,first_name,last_name,email,job_title,mos_enable,mos_opportunity,course_enrollments\r\n");
    for n in 1..=rows {
        let programs = match n % 3 {
            0 => "\"meddpicc-masterclass,meddicc-value-program\"",
            1 => "meddicc-go-live-plan",
            _ => "",
        };
        let email = if n % 97 == 0 {
            format!("broken{n}@")
        } else {
            format!("person{n}@example.com")
        };
        text.push_str(&format!(
            "EXT{:05},Zoë{n},Müller,{email},Account Executive,{},FALSE,{programs}\r\n",
            n % 100_000,
            if programs.is_empty() { "FALSE" } else { "TRUE" }
        ));
    }
    let bytes = text.into_bytes();
    let (mut best_parse, mut best_total) = (std::time::Duration::MAX, std::time::Duration::MAX);
    for _ in 0..15 {
        let copy = bytes.clone();
        let t0 = std::time::Instant::now();
        let parsed = roster_core::import::parse(copy);
        let t1 = t0.elapsed();
        let report = roster_core::import::check_file(&parsed.rows, None);
        best_parse = best_parse.min(t1);
        best_total = best_total.min(t0.elapsed());
        assert_eq!(report.rows_with_problems(), rows / 97);
    }
    println!("best of 15: parse {best_parse:?}, parse + check {best_total:?}");
}
