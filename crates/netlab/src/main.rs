fn main() {
    eprintln!("netlab: not implemented yet");
    std::process::exit(2);
}
