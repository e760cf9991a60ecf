"""What every layer may use; imports nothing heavy.

- atomic: writes that land whole (temp file, fsync, rename) and inter-process locks
- choices: every set of choices, as one enum each
- errors: the exception tree and its exit codes
- limits: limits several commands share
- strictjson: JSON without NaN or infinities
- symbols: ticker symbols: normalised, refused when unsafe, and the calendar each names
- workspace: paths inside data/ and models/ that never pass through a link; output checks
"""
