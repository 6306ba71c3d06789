"""`make bench`: every bench/bench_*.py module's main(), measured side by side in one run."""
