fn main() {
    if let Err(err) = marquee::cli::run() {
        eprintln!("marquee: {err:#}");
        std::process::exit(1);
    }
}
