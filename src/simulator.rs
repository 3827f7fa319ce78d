//! A faithful local Zoom (placeholder until the simulator lands).
