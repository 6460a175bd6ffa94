"""Where captures come from: snapshot files and folders, WARC files, HTTP fetches (with their address
checks) and feeds. Each source yields `versioner.capture.Capture`s; none of them touches the database."""
