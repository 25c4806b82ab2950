//! The Dagger module protocol (work in progress).
