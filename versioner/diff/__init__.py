"""Two versions to a structured diff, as pure functions: word tokens, paragraph alignment, the engine
and the statistics that name a change."""
