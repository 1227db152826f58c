"""Every write of the advocacy domain: actions, submissions, delivery, batches, notifications."""
