"""The scheduler process (APScheduler 3.11): `flask scheduler run`. The web never starts it."""
