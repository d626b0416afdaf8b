"""Stage 1, capture of the run: run the user's script with the watcher on (runner, watch), decide
when to check (checks), re-run a model call on fake tensors (retrace); the Python API (context,
ipython) and torch.distributed runs (dist_watch)."""
