//! Runs labs: turns a validated lab into engine steps, emits one stream of
//! run events (progress and reporters listen to it) and returns the results.
