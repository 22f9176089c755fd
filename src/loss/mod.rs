//! Barlow Twins loss (thesis 6.3).
