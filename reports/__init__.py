"""Reports: parity tables, plots and review pages from stored artifacts."""
