"""The report's parts (./report is suite/report.py): runs.py reads every
database through compile_stats --json, rank.py builds the leaderboard from
the runs' figures, fmt.py shows a figure with its unit, doc.py lays out the
page once for README.md and index.html, charts.py draws with gnuplot."""
