"""Letters: the merge-field language organizers write in, the facts it may name, rendering, and the
delivery channels (email, Communicating with Congress XML, printable PDF batches)."""
