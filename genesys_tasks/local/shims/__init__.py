"""Files run inside the function's own process (not imported by genesys): the plain callers
used when an official runtime client cannot be installed, and Node's layer resolve hook."""
