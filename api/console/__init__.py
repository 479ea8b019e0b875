"""The officer web console (issue 7): static files and the reads they need."""
