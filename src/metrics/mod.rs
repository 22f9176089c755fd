//! MOSEI metrics (thesis 7.3).
